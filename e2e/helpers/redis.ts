import { existsSync, mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../demo/prometheus/launch.ts';
import { assertBinary, missingBinary } from './binaries.ts';
import { startServerProcess } from './server-process.ts';

// A real redis-server for tests: a plain process on a free loopback port,
// nothing persisted (`--save '' --appendonly no`), its working folder in a
// temp dir that stop() removes.

export const REDIS_BIN = process.env.PDV_REDIS_BIN ?? '/usr/bin/redis-server';
const INSTALL = 'apt-get install redis-server, or set PDV_REDIS_BIN';

export function redisAvailable(bin = REDIS_BIN): boolean {
  return existsSync(bin);
}

/** For `describe.skipIf(…)`: fails the suite on CI when redis-server is missing (see binaries.ts). */
export function skipWithoutRedis(): boolean {
  return missingBinary('redis-server', redisAvailable(), INSTALL);
}

export interface TestRedis {
  /** redis://127.0.0.1:<port> */
  url: string;
  port: number;
  log(): string;
  stop(): Promise<void>;
}

/** PING over a raw socket: true once the server answers (+PONG, or -NOAUTH when it wants a password). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1_000, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('\r\n')) done(got.startsWith('+PONG') || got.startsWith('-NOAUTH'));
    });
  });
}

/** `args`: further redis-server options (e.g. `--requirepass`, `--cluster-enabled yes`). */
export async function startRedis(opts: { bin?: string; args?: string[] } = {}): Promise<TestRedis> {
  const bin = opts.bin ?? REDIS_BIN;
  assertBinary('redis-server', redisAvailable(bin), INSTALL);
  const dir = mkdtempSync(join(tmpdir(), 'pdv-redis-'));
  const port = await freePort();
  const server = await startServerProcess(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes', '--logfile', '', ...(opts.args ?? [])],
    { dir, what: 'redis-server', ready: () => ping(port) },
  );
  return { url: `redis://127.0.0.1:${port}`, port, log: server.log, stop: server.stop };
}
