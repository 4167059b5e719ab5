import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../demo/prometheus/launch.ts';
import { redisPing } from '../../demo/redis-server.ts';
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


/** `args`: further redis-server options (e.g. `--requirepass`, `--cluster-enabled yes`). */
export async function startRedis(opts: { bin?: string; args?: string[] } = {}): Promise<TestRedis> {
  const bin = opts.bin ?? REDIS_BIN;
  assertBinary('redis-server', redisAvailable(bin), INSTALL);
  const dir = mkdtempSync(join(tmpdir(), 'pdv-redis-'));
  const port = await freePort();
  const server = await startServerProcess(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes', '--logfile', '', ...(opts.args ?? [])],
    { dir, what: 'redis-server', ready: () => redisPing(port) },
  );
  return { url: `redis://127.0.0.1:${port}`, port, log: server.log, stop: server.stop };
}
