import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerOwned } from '../src/platform/reaper.ts';
import { freePort, terminate } from './prometheus/launch.ts';

// The demo's cache: a real redis-server (Debian's /usr/bin/redis-server) on a
// free loopback port, nothing persisted, its working folder in a temp dir.
// `pdv demo` starts it when the binary is installed and stops it on every
// path out; the pid and folder are registered for reaping after a kill -9.

export const REDIS_SERVER_BIN = process.env.PDV_REDIS_BIN ?? '/usr/bin/redis-server';

export function redisServerAvailable(bin = REDIS_SERVER_BIN): boolean {
  return existsSync(bin);
}

export interface DemoRedis {
  /** redis://127.0.0.1:<port> */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** PING over a raw socket: true once the server answers (+PONG, or -NOAUTH when it wants a password). */
export function redisPing(port: number): Promise<boolean> {
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

export async function startDemoRedis(opts: { bin?: string; readyTimeoutMs?: number } = {}): Promise<DemoRedis> {
  const bin = opts.bin ?? REDIS_SERVER_BIN;
  if (!existsSync(bin)) throw new Error(`redis-server not found at ${bin} (apt-get install redis-server, or set PDV_REDIS_BIN)`);
  const dir = await mkdtemp(join(tmpdir(), 'pdv-redis-'));
  const owned = [registerOwned({ dir, what: 'demo redis-server folder' })];
  let child: ChildProcess | undefined;
  let output = '';
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c) await terminate(c);
    await rm(dir, { recursive: true, force: true });
    for (const off of owned.splice(0)) off();
  };
  try {
    const port = await freePort();
    child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes', '--logfile', ''], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid) owned.push(registerOwned({ pid: child.pid, what: 'demo redis-server' }));
    const keep = (b: Buffer): void => {
      output = (output + b.toString()).slice(-10_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 10_000);
    for (;;) {
      if (!child || child.exitCode !== null) throw new Error(`redis-server exited (${child?.exitCode}): ${output.slice(-2000)}`);
      if (await redisPing(port)) break;
      if (Date.now() > deadline) throw new Error(`redis-server not ready after ${opts.readyTimeoutMs ?? 10_000} ms: ${output.slice(-2000)}`);
      await sleep(50);
    }
    return { url: `redis://127.0.0.1:${port}`, pid: child.pid ?? 0, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
