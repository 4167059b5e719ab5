import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { assertBinary, missingBinary } from './binaries.ts';

// Owner: DR helper. A real Debian PostgreSQL for tests: initdb in a temp
// folder, a free loopback port, password auth; as root the server runs as the
// `postgres` user (initdb refuses root). stop() ends it and removes the folder.

export interface TestPostgres {
  /** postgres://postgres:<password>@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  password: string;
  /** A URL for another database on the same server. */
  urlFor(database: string): string;
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<T[]>;
  stop(): Promise<void>;
}

const hasServer = (bin: string): boolean => existsSync(join(bin, 'postgres')) && existsSync(join(bin, 'initdb'));

/**
 * The folder with `postgres` and `initdb`, whatever the major version:
 * PDV_TEST_PG_BIN, else `pg_config --bindir`, else the newest
 * `<root>/postgresql/<major>/bin` (Debian's layout). Undefined when none has both.
 */
export function findPgBin(opts: { env?: NodeJS.ProcessEnv; pgConfig?: string; libRoot?: string } = {}): string | undefined {
  const env = opts.env ?? process.env;
  if (env.PDV_TEST_PG_BIN) return hasServer(env.PDV_TEST_PG_BIN) ? env.PDV_TEST_PG_BIN : undefined;
  const fromConfig = spawnSync(opts.pgConfig ?? 'pg_config', ['--bindir'], { encoding: 'utf8' });
  const bindir = fromConfig.status === 0 ? fromConfig.stdout.trim() : '';
  if (bindir && hasServer(bindir)) return bindir;
  const root = join(opts.libRoot ?? '/usr/lib', 'postgresql');
  let majors: string[] = [];
  try {
    majors = readdirSync(root).filter((d) => /^\d+(\.\d+)?$/.test(d));
  } catch {
    return undefined;
  }
  return majors
    .sort((a, b) => Number(b) - Number(a))
    .map((m) => join(root, m, 'bin'))
    .find(hasServer);
}

const FOUND_PG_BIN = findPgBin();
/** Where the PostgreSQL binaries are ('' when not installed: see postgresAvailable). */
export const PG_BIN = FOUND_PG_BIN ?? '';
export const PG_INSTALL_HINT = 'apt-get install postgresql, or set PDV_TEST_PG_BIN to a folder with postgres and initdb';

export function postgresAvailable(): boolean {
  return FOUND_PG_BIN !== undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = () => process.getuid?.() === 0;

/** Run as the postgres user when we are root (setpriv execs in place: the pid is the server's). */
function asPostgres(file: string, args: string[]): [string, string[]] {
  return isRoot() ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', file, ...args]] : [file, args];
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const [f, a] = asPostgres(file, args);
    const child = spawn(f, a, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} exited ${code}: ${out}`))));
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  assertBinary('PostgreSQL', postgresAvailable(), PG_INSTALL_HINT);
  const dir = mkdtempSync(join(tmpdir(), 'pdv-pg-'));
  const cleanupDir = () => rmSync(dir, { recursive: true, force: true });
  let server: ChildProcess | undefined;
  try {
    chmodSync(dir, 0o700);
    const password = randomBytes(12).toString('hex');
    const pwfile = join(dir, 'pw');
    writeFileSync(pwfile, password + '\n', { mode: 0o600 });
    if (isRoot()) {
      const uid = Number((await runPlain('id', ['-u', 'postgres'])).trim());
      const gid = Number((await runPlain('id', ['-g', 'postgres'])).trim());
      chownSync(dir, uid, gid);
      chownSync(pwfile, uid, gid);
    }
    const data = join(dir, 'data');
    await run(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--pwfile', pwfile, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    const [f, a] = asPostgres(join(PG_BIN, 'postgres'), [
      '-D', data, '-p', String(port), '-k', dir,
      '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    ]);
    server = spawn(f, a, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    server.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    const urlFor = (database: string) => `postgres://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`postgres exited ${server.exitCode}: ${log}`);
      const c = new pg.Client({ connectionString: url });
      try {
        await c.connect();
        await c.end();
        break;
      } catch {
        await c.end().catch(() => undefined);
        if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30s: ${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const proc = server;
    return {
      url,
      port,
      password,
      urlFor,
      async query<T extends pg.QueryResultRow>(sql: string, params?: unknown[], database?: string) {
        const c = new pg.Client({ connectionString: database ? urlFor(database) : url });
        await c.connect();
        try {
          return (await c.query<T>(sql, params)).rows;
        } finally {
          await c.end();
        }
      },
      async stop() {
        if (proc.exitCode === null && proc.signalCode === null) {
          const exited = new Promise<void>((r) => proc.once('exit', () => r()));
          proc.kill('SIGINT'); // fast shutdown
          const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(t);
        }
        cleanupDir();
      },
    };
  } catch (err) {
    server?.kill('SIGKILL');
    cleanupDir();
    throw err;
  }
}

function runPlain(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} exited ${code}`))));
  });
}

/** For `describe.skipIf(…)`: fails the suite on CI when PostgreSQL is missing (see binaries.ts). */
export function skipWithoutPostgres(): boolean {
  return missingBinary('PostgreSQL', postgresAvailable(), PG_INSTALL_HINT);
}
