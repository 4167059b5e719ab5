import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { safeName } from './ledger.ts';
import { processAlive } from './pid.ts';
import { abortableSleep } from './retry.ts';

// One verdict per environment at a time: `<reportsDir>/.pdv/locks/<env>.lock`,
// created exclusively (link(2) of a fully written temp file, so nobody ever
// reads half a lock). A lock whose process is gone (same host) is stale and
// is taken over; a lock from another host is never judged stale.

export interface LockHolder {
  pid: number;
  startedAt: string;
  runId?: string;
  host?: string;
}

interface LockFile extends LockHolder {
  token: string;
}

export interface LockOptions {
  timeoutMs: number;
  pollMs?: number;
  /** Written into the lock so a waiting run can say who holds it. */
  runId?: string;
  signal?: AbortSignal;
}

export type LockResult = { release(): Promise<void>; holder: LockHolder } | { timedOut: true; holder: LockHolder };

/** An unreadable lock this old is a crashed writer's leftover. */
const UNREADABLE_GRACE_MS = 5_000;

export function lockPath(reportsDir: string, environment: string): string {
  return join(reportsDir, '.pdv', 'locks', `${safeName(environment)}.lock`);
}

export async function acquireEnvLock(reportsDir: string, environment: string, opts: LockOptions): Promise<LockResult> {
  const file = lockPath(reportsDir, environment);
  await mkdir(join(reportsDir, '.pdv', 'locks'), { recursive: true });
  const mine: LockFile = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    host: hostname(),
    token: randomBytes(12).toString('hex'),
    ...(opts.runId ? { runId: opts.runId } : {}),
  };
  const deadline = Date.now() + opts.timeoutMs;
  const pollMs = opts.pollMs ?? 500;
  let holder: LockHolder = { pid: 0, startedAt: '' };
  for (;;) {
    if (await tryCreate(file, mine)) return { holder: publicHolder(mine), release: () => release(file, mine.token) };
    const current = await readLock(file);
    if (current === 'missing') continue; // released between our attempt and the read
    if (current === 'unreadable') {
      if (await olderThan(file, UNREADABLE_GRACE_MS)) await takeOver(file, undefined);
    } else {
      holder = publicHolder(current);
      if (isStale(current)) {
        await takeOver(file, current.token);
        continue;
      }
    }
    const left = deadline - Date.now();
    if (left <= 0 || opts.signal?.aborted) return { timedOut: true, holder };
    await abortableSleep(Math.min(pollMs, left), opts.signal).catch(() => undefined);
  }
}

function publicHolder(l: LockHolder): LockHolder {
  return { pid: l.pid, startedAt: l.startedAt, ...(l.runId ? { runId: l.runId } : {}), ...(l.host ? { host: l.host } : {}) };
}

function isStale(l: LockFile): boolean {
  return l.host === hostname() && !processAlive(l.pid);
}

async function tryCreate(file: string, lock: LockFile): Promise<boolean> {
  const tmp = `${file}.${lock.token}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(lock) + '\n', { flush: true });
    await link(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function readLock(file: string): Promise<LockFile | 'missing' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  try {
    const l = JSON.parse(text) as LockFile;
    return typeof l.pid === 'number' && typeof l.token === 'string' ? l : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs > ms;
  } catch {
    return false;
  }
}

/**
 * Move the stale lock aside, then check we moved the one we judged stale: if
 * another waiter took over first, we moved its fresh lock — put it back
 * (link does not overwrite, so a third run's lock is never clobbered).
 */
async function takeOver(file: string, staleToken: string | undefined): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch {
    return; // gone already: someone else took over or it was released
  }
  const moved = await readLock(aside);
  const wasStale = staleToken === undefined ? moved === 'unreadable' : typeof moved === 'object' && moved.token === staleToken;
  if (!wasStale) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}

async function release(file: string, token: string): Promise<void> {
  const current = await readLock(file).catch(() => 'missing' as const);
  if (typeof current === 'object' && current.token === token) await rm(file, { force: true });
}
