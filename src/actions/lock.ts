import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { safeName } from './ledger.ts';
import { processStartTime, sameProcessAlive } from '../platform/proc.ts';
import { abortableSleep } from './retry.ts';

// One verdict per environment at a time: `<reportsDir>/.pdv/locks/<env>.lock`,
// created exclusively (link(2) of a fully written temp file, so nobody ever
// reads half a lock). A lock whose process is gone (same host; pid and start
// time) is stale and is taken over; a lock from another host is never judged
// stale.
//
// Taking over must not race: removing a lock by path after judging it stale
// could remove a fresh lock that replaced it meanwhile. So a stale lock with
// token T is removed only by whoever first creates `<lock>.break-T`
// exclusively; while that marker exists nobody else can remove a lock with
// token T, and T's holder is dead, so the lock read as T is still T when the
// marker's owner removes it. Tokens are never reused, so a late breaker finds
// T gone and does nothing. A marker left by a breaker that died is itself a
// stale lock and is broken the same way.

export interface LockHolder {
  pid: number;
  startedAt: string;
  runId?: string;
  host?: string;
}

interface LockFile extends LockHolder {
  token: string;
  /** The holder's process start time (see platform/proc.ts), so a reused pid is not taken for the holder. */
  pidStart?: string;
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
  await mkdir(join(reportsDir, '.pdv', 'locks'), { recursive: true });
  return acquireFileLock(lockPath(reportsDir, environment), opts);
}

/** The same lock at any path (its folder must exist), e.g. one soak folder's `run.lock`. */
export async function acquireFileLock(file: string, opts: LockOptions): Promise<LockResult> {
  const mine = newLock(opts.runId);
  const deadline = Date.now() + opts.timeoutMs;
  const pollMs = opts.pollMs ?? 500;
  let holder: LockHolder = { pid: 0, startedAt: '' };
  for (;;) {
    if (await tryCreate(file, mine)) return { holder: publicHolder(mine), release: () => release(file, mine.token) };
    const current = await readLock(file);
    if (current === 'missing') continue; // released between our attempt and the read
    if (current === 'unreadable') {
      const id = await unreadableId(file, UNREADABLE_GRACE_MS);
      if (id !== undefined && (await breakStale(file, id))) continue;
    } else {
      holder = publicHolder(current);
      if (isStale(current) && (await breakStale(file, current.token))) continue;
    }
    const left = deadline - Date.now();
    if (left <= 0 || opts.signal?.aborted) return { timedOut: true, holder };
    await abortableSleep(Math.min(pollMs, left), opts.signal).catch(() => undefined);
  }
}

function publicHolder(l: LockHolder): LockHolder {
  return { pid: l.pid, startedAt: l.startedAt, ...(l.runId ? { runId: l.runId } : {}), ...(l.host ? { host: l.host } : {}) };
}

function newLock(runId: string | undefined): LockFile {
  const pidStart = processStartTime(process.pid);
  return {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    host: hostname(),
    token: randomBytes(12).toString('hex'),
    ...(runId ? { runId } : {}),
    ...(pidStart ? { pidStart } : {}),
  };
}

function isStale(l: LockFile): boolean {
  return l.host === hostname() && !sameProcessAlive(l.pid, l.pidStart);
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

/** An identity for an unreadable lock older than `ms` (its inode and mtime), or undefined. */
async function unreadableId(file: string, ms: number): Promise<string | undefined> {
  try {
    const s = await stat(file);
    return Date.now() - s.mtimeMs > ms ? `u${s.ino}-${Math.floor(s.mtimeMs)}` : undefined;
  } catch {
    return undefined;
  }
}

async function identify(file: string): Promise<string | undefined> {
  const l = await readLock(file);
  if (typeof l === 'object') return l.token;
  if (l === 'missing') return undefined;
  return unreadableId(file, 0);
}

/**
 * Remove the lock at `file` if it is still the one identified by `id`, racing
 * safely (see top). False when another breaker is at it: wait, then look again.
 */
async function breakStale(file: string, id: string): Promise<boolean> {
  const marker = `${file}.break-${id}`;
  const me = newLock(undefined);
  if (!(await tryCreate(marker, me))) {
    const other = await readLock(marker);
    if (typeof other === 'object' && isStale(other)) await breakStale(marker, other.token);
    else if (other === 'unreadable') {
      const mid = await unreadableId(marker, UNREADABLE_GRACE_MS);
      if (mid !== undefined) await breakStale(marker, mid);
    }
    return false;
  }
  try {
    if ((await identify(file)) === id) await rm(file, { force: true });
    return true;
  } finally {
    await release(marker, me.token);
  }
}

async function release(file: string, token: string): Promise<void> {
  const current = await readLock(file).catch(() => 'missing' as const);
  if (typeof current === 'object' && current.token === token) await rm(file, { force: true });
}
