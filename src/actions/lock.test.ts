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

it('eight processes racing over locks whose holders die never hold it at the same time', async () => {
  const racers = 8;
  const rounds = 12;
  const file = lockPath(dir, 'staging');
  await mkdir(dirname(file), { recursive: true });
  const dead = deadPid();
  const staleLock = (token: string): string => JSON.stringify({ pid: dead, startedAt: '2026-01-01T00:00:00Z', host: hostname(), token, runId: 'crashed' });
  await writeFile(file, staleLock('dead'));
  const log = join(dir, 'holders.log');
  const go = join(dir, 'go');
  const script = join(dir, 'racer.mts');
  // Each racer takes the lock again and again; after about half of its turns
  // it "dies" holding it: the lock keeps its place but names a dead process
  // (exactly what waiters see when the holder is killed), so round after
  // round several waiters race to take over a dead holder.
  await writeFile(
    script,
    `import { appendFileSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { acquireEnvLock } from ${JSON.stringify(resolve('src/actions/lock.ts'))};
const [dir, id, log, go, file] = process.argv.slice(2);
const tick = () => new Promise((r) => setTimeout(r, 1));
while (!existsSync(go)) await tick();
for (let round = 0; round < ${rounds}; round++) {
  const r = await acquireEnvLock(dir, 'staging', { timeoutMs: 20_000, pollMs: 2, runId: id + '-' + round });
  if ('timedOut' in r) { appendFileSync(log, 'timeout ' + id + '\\n'); process.exit(2); }
  appendFileSync(log, 'enter ' + id + '\\n');
  for (let i = Math.floor(Math.random() * 3); i > 0; i--) await tick();
  appendFileSync(log, 'leave ' + id + '\\n');
  if (Math.random() < 0.5) {
    await r.release();
  } else {
    const tmp = file + '.' + id + '.die';
    writeFileSync(tmp, ${JSON.stringify(staleLock('__TOKEN__'))}.replace('__TOKEN__', id + '-' + round));
    renameSync(tmp, file);
  }
}
`,
  );
  const children = Array.from({ length: racers }, (_, i) =>
    spawn(process.execPath, ['--import', 'tsx', script, dir, `r${i}`, log, go, file], { cwd: process.cwd(), stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  const codes = Promise.all(children.map((c) => new Promise<number | null>((r) => c.on('exit', r))));
  await writeFile(go, '');
  expect(await codes).toEqual(Array(racers).fill(0));
  const lines = (await readFile(log, 'utf8')).trim().split('\n');
  let holder: string | undefined;
  const overlaps: string[] = [];
  for (const line of lines) {
    const [what, id] = line.split(' ');
    if (what === 'enter') {
      if (holder !== undefined) overlaps.push(`${id} entered while ${holder} held`);
      holder = id;
    } else if (what === 'leave' && holder === id) holder = undefined;
  }
  expect(overlaps).toEqual([]);
  expect(lines.filter((l) => l.startsWith('enter'))).toHaveLength(racers * rounds);
});

it('a lock whose pid is alive but belongs to another process now (start time differs) is stale', async () => {
  if (process.platform !== 'linux') return; // start times come from /proc
  const file = lockPath(dir, 'staging');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ pid: process.pid, pidStart: '1', startedAt: '2026-01-01T00:00:00Z', host: hostname(), token: 'reused' }));
  const mine = held(await acquireEnvLock(dir, 'staging', { timeoutMs: 300, pollMs: 20, runId: 'new' }));
  await mine.release();
});

it('a take-over left half done by a breaker that died is finished by the next run', async () => {
  const file = lockPath(dir, 'staging');
  await mkdir(dirname(file), { recursive: true });
  const dead = deadPid();
  await writeFile(file, JSON.stringify({ pid: dead, startedAt: '2026-01-01T00:00:00Z', host: hostname(), token: 'dead' }));
  await writeFile(`${file}.break-dead`, JSON.stringify({ pid: dead, startedAt: '2026-01-01T00:00:00Z', host: hostname(), token: 'breaker' }));
  const mine = held(await acquireEnvLock(dir, 'staging', { timeoutMs: 300, pollMs: 20, runId: 'next' }));
  await mine.release();
});
