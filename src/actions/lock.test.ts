import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { acquireEnvLock, lockPath, type LockResult } from './lock.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdv-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function held(r: LockResult): { release(): Promise<void> } {
  if ('timedOut' in r) throw new Error(`expected the lock, held by ${JSON.stringify(r.holder)}`);
  return r;
}

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid as number;
}

it('a second run waits up to the timeout, then gets the holder to report', async () => {
  const first = held(await acquireEnvLock(dir, 'staging', { timeoutMs: 1_000, runId: 'run-a' }));
  const second = await acquireEnvLock(dir, 'staging', { timeoutMs: 200, pollMs: 20 });
  expect(second).toMatchObject({ timedOut: true, holder: { pid: process.pid, runId: 'run-a' } });
  // Other environments are independent.
  const other = held(await acquireEnvLock(dir, 'production', { timeoutMs: 0 }));
  await other.release();
  await first.release();
  const third = held(await acquireEnvLock(dir, 'staging', { timeoutMs: 0 }));
  await third.release();
});

it('a waiting run gets the lock as soon as the holder releases it', async () => {
  const first = held(await acquireEnvLock(dir, 'staging', { timeoutMs: 0 }));
  const waiting = acquireEnvLock(dir, 'staging', { timeoutMs: 10_000, pollMs: 20, runId: 'run-b' });
  setTimeout(() => void first.release(), 150);
  const second = held(await waiting);
  expect(JSON.parse(await readFile(lockPath(dir, 'staging'), 'utf8'))).toMatchObject({ runId: 'run-b', pid: process.pid });
  await second.release();
});

it('release only removes its own lock', async () => {
  const first = held(await acquireEnvLock(dir, 'staging', { timeoutMs: 0 }));
  await first.release();
  const second = held(await acquireEnvLock(dir, 'staging', { timeoutMs: 0, runId: 'run-2' }));
  await first.release(); // a late second release must not free run-2's lock
  expect(await acquireEnvLock(dir, 'staging', { timeoutMs: 0 })).toMatchObject({ timedOut: true, holder: { runId: 'run-2' } });
  await second.release();
});

it('takes over a stale lock whose process is gone — exactly one of two racing runs wins', async () => {
  const file = lockPath(dir, 'staging');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ pid: deadPid(), startedAt: '2026-01-01T00:00:00Z', host: hostname(), token: 'dead', runId: 'crashed' }));
  const [a, b] = await Promise.all([
    acquireEnvLock(dir, 'staging', { timeoutMs: 300, pollMs: 20, runId: 'a' }),
    acquireEnvLock(dir, 'staging', { timeoutMs: 300, pollMs: 20, runId: 'b' }),
  ]);
  const winners = [a, b].filter((r) => !('timedOut' in r));
  expect(winners).toHaveLength(1);
  const loser = [a, b].find((r) => 'timedOut' in r);
  expect(loser).toMatchObject({ timedOut: true });
  await held(winners[0]!).release();
});

it('never judges a lock from another host stale', async () => {
  const file = lockPath(dir, 'staging');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ pid: deadPid(), startedAt: '2026-01-01T00:00:00Z', host: 'elsewhere.invalid', token: 't' }));
  expect(await acquireEnvLock(dir, 'staging', { timeoutMs: 100, pollMs: 20 })).toMatchObject({ timedOut: true, holder: { host: 'elsewhere.invalid' } });
});

it('a lock held by a live process elsewhere blocks; once that process is killed it is taken over', async () => {
  const script = join(dir, 'holder.mts');
  await writeFile(
    script,
    `import { acquireEnvLock } from ${JSON.stringify(resolve('src/actions/lock.ts'))};
const r = await acquireEnvLock(${JSON.stringify(dir)}, 'staging', { timeoutMs: 5000, runId: 'child' });
process.stdout.write('timedOut' in r ? 'busy\\n' : 'locked\\n');
setInterval(() => {}, 1000);
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.on('exit', r));
  try {
    const line = await new Promise<string>((r) => child.stdout.once('data', (d: Buffer) => r(d.toString().trim())));
    expect(line).toBe('locked');
    expect(await acquireEnvLock(dir, 'staging', { timeoutMs: 150, pollMs: 20 })).toMatchObject({ timedOut: true, holder: { pid: child.pid, runId: 'child' } });
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  const mine = held(await acquireEnvLock(dir, 'staging', { timeoutMs: 2_000, pollMs: 20, runId: 'after' }));
  expect(JSON.parse(await readFile(lockPath(dir, 'staging'), 'utf8'))).toMatchObject({ runId: 'after' });
  await mine.release();
});
