import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../demo/prometheus/launch.ts';
import { REPO } from './cli.ts';
import { EXAMPLES } from './examples.ts';
import { startPostgres, type TestPostgres } from './postgres.ts';
import { collectLines, startServerProcess, type ServerProcess } from './server-process.ts';

// The forum of examples/postgraphile/ as a real deployment: Debian's
// PostgreSQL with the example's schema (roles, pgcrypto hashes, the
// `authenticate` function), two accounts, and PostGraphile 4's own CLI
// (devDependency) on a free loopback port, connected as the authenticator
// role. A test-only server plugin logs one line per HTTP request, so a test
// knows whether pdv sent anything at all.

export const POSTGRAPHILE_CLI = join(REPO, 'node_modules', 'postgraphile', 'cli.js');
const HEALTH_PLUGIN = join(EXAMPLES, 'postgraphile', 'health-plugin.cjs');
const ACCESS_LOG_PLUGIN = fileURLToPath(new URL('../fixtures/postgraphile/access-log.cjs', import.meta.url));

export const FORUM_ACCOUNTS = {
  person: { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', role: 'forum_person' },
  admin: { email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper', role: 'forum_admin' },
} as const;

export interface TestForum {
  url: string;
  pg: TestPostgres;
  /** Run SQL as the superuser in the forum's database (a grant a bad migration made, …). */
  sql(text: string): Promise<void>;
  /** Request lines the API logged since it became ready (`POST /graphql`). */
  requests(): string[];
  /** GraphQL operation names it was sent since it became ready (`Authenticate`; `(anonymous)` for unnamed ones). */
  operations(): string[];
  stop(): Promise<void>;
}

/** PostgreSQL with the forum schema and both accounts, and PostGraphile serving it. */
export async function startForum(opts: { passwords: { person: string; admin: string } }): Promise<TestForum> {
  const pg = await startPostgres();
  let api: ServerProcess | undefined;
  try {
    await pg.query('create database forum');
    await pg.query(readFileSync(join(EXAMPLES, 'postgraphile', 'schema.sql'), 'utf8'), [], 'forum');
    const authPassword = randomBytes(12).toString('hex');
    await pg.query(`alter role forum_postgraphile password '${authPassword}'`, [], 'forum');
    for (const [role, a] of Object.entries(FORUM_ACCOUNTS)) {
      await pg.query('select forum_private.register($1, $2, $3, $4, $5)', [a.firstName, a.lastName, a.email, opts.passwords[role as keyof typeof FORUM_ACCOUNTS], a.role], 'forum');
    }
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const dir = mkdtempSync(join(tmpdir(), 'pdv-postgraphile-'));
    api = await startServerProcess(
      process.execPath,
      [
        POSTGRAPHILE_CLI,
        '--plugins', `${ACCESS_LOG_PLUGIN},${HEALTH_PLUGIN}`,
        '--connection', `postgres://forum_postgraphile:${authPassword}@127.0.0.1:${pg.port}/forum`,
        '--schema', 'forum',
        '--default-role', 'forum_anonymous',
        '--jwt-secret', randomBytes(24).toString('hex'),
        '--jwt-token-identifier', 'forum.jwt_token',
        '--host', '127.0.0.1',
        '--port', String(port),
        '--disable-graphiql',
        '--no-ignore-rbac',
      ],
      { dir, what: 'postgraphile', readyTimeoutMs: 30_000, ready: () => fetch(`${url}/healthz`).then((r) => r.ok, () => false) },
    );
    const server = api;
    const logged = collectLines(server.child.stdout, (l) => l.startsWith('access: ') || l.startsWith('operation: '));
    const requests = (): string[] => logged().flatMap((l) => (l.startsWith('access: ') ? [l.slice('access: '.length)] : []));
    const operations = (): string[] => logged().flatMap((l) => (l.startsWith('operation: ') ? [l.slice('operation: '.length)] : []));
    return {
      url,
      pg,
      sql: async (text) => {
        await pg.query(text, [], 'forum');
      },
      requests,
      operations,
      stop: async () => {
        await server.stop();
        await pg.stop();
      },
    };
  } catch (err) {
    await api?.stop();
    await pg.stop();
    throw err;
  }
}
