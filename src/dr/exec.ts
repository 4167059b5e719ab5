import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Environ } from '../core/types.ts';

// Child processes for pg_restore & co: output captured (bounded), killed on
// abort so a timed-out or interrupted run does not leave them behind.

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const MAX = 1 << 20;

export function execFileCapture(
  file: string,
  args: string[],
  opts: { env?: Environ; signal?: AbortSignal; cwd?: string } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...(opts.env ? { env: opts.env } : {}), cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < MAX) stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < MAX) stderr += d.toString();
    });
    const onAbort = () => child.kill('SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) reject(opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
      else resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * A PostgreSQL client binary: configured folder, then the PATH of the run's environment (when
 * given), then Debian's versioned folders (newest first), else the bare name (the spawn's PATH).
 */
export function pgBinary(name: string, pgBin?: string, env?: Environ): string {
  if (pgBin) return join(pgBin, name);
  for (const dir of (env?.PATH ?? '').split(':')) if (dir && existsSync(join(dir, name))) return join(dir, name);
  try {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join('/usr/lib/postgresql', v, 'bin', name))) return join('/usr/lib/postgresql', v, 'bin', name);
  } catch {
    // no Debian layout
  }
  return name;
}

/** libpq environment for a connection URL, so no password shows in a process list. */
export function libpqEnv(url: string, database?: string): Record<string, string> {
  const u = new URL(url);
  const env: Record<string, string> = {};
  if (u.hostname) env.PGHOST = decodeURIComponent(u.hostname);
  if (u.port) env.PGPORT = u.port;
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const db = database ?? decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (db) env.PGDATABASE = db;
  const ssl = u.searchParams.get('sslmode');
  if (ssl) env.PGSSLMODE = ssl;
  const host = u.searchParams.get('host'); // unix socket form ?host=/var/run/postgresql
  if (host) env.PGHOST = host;
  return env;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}
