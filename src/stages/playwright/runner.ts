import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BridgeCheckRecord, BridgeEndRecord, BridgeRecord } from './protocol.ts';
import { BRIDGE_ENV } from './protocol.ts';

// Runs the Playwright test runner as a child process and streams the bridge
// reporter's JSON lines back. Nothing is parsed from the terminal: stdout is
// discarded and only the tail of stderr is kept for infrastructure errors.

export interface PlaywrightRunOptions {
  /** Absolute path of playwright.config.ts. */
  configFile: string;
  projects: string[];
  /** Where the bridge writes its JSON lines (a scratch file, never the run folder). */
  bridgeFile: string;
  stage: string;
  idPrefix?: string;
  grep?: string;
  shard?: { index: number; total: number };
  retries?: number;
  workers?: number;
  /** Extra env for the child (target, credentials). */
  env: Record<string, string>;
  cwd: string;
  signal: AbortSignal;
  onCheck(record: BridgeCheckRecord): void;
  /** Further runner flags (e.g. `--no-deps`). */
  extraArgs?: string[];
  /** How long to wait after SIGTERM before SIGKILL. */
  killGraceMs?: number;
}

export interface PlaywrightRunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  end?: BridgeEndRecord;
  checks: BridgeCheckRecord[];
  aborted: boolean;
  stderrTail: string;
}

const require = createRequire(import.meta.url);

/** `node_modules/@playwright/test/cli.js` (not in the package's exports map, so found beside its main file). */
export function playwrightCli(): string {
  return join(dirname(require.resolve('@playwright/test')), 'cli.js');
}

export function playwrightArgs(o: Pick<PlaywrightRunOptions, 'configFile' | 'projects' | 'grep' | 'shard' | 'retries' | 'workers' | 'extraArgs'>): string[] {
  const args = [playwrightCli(), 'test', '--config', o.configFile, '--pass-with-no-tests'];
  for (const p of o.projects) args.push('--project', p);
  if (o.grep) args.push('--grep', o.grep);
  if (o.shard) args.push('--shard', `${o.shard.index}/${o.shard.total}`);
  if (o.retries !== undefined) args.push('--retries', String(o.retries));
  if (o.workers !== undefined) args.push('--workers', String(o.workers));
  args.push(...(o.extraArgs ?? []));
  return args;
}

/** Reads complete lines appended to a file since the last call. */
class LineTail {
  private offset = 0;
  private rest = '';
  constructor(private readonly file: string) {}

  async read(): Promise<string[]> {
    let size: number;
    try {
      size = (await stat(this.file)).size;
    } catch {
      return [];
    }
    if (size <= this.offset) return [];
    const fh = await open(this.file, 'r');
    try {
      const buf = Buffer.alloc(size - this.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      this.offset += bytesRead;
      const text = this.rest + buf.subarray(0, bytesRead).toString('utf8');
      const lines = text.split('\n');
      this.rest = lines.pop() ?? '';
      return lines.filter((l) => l.trim().length > 0);
    } finally {
      await fh.close();
    }
  }
}

export async function runPlaywright(o: PlaywrightRunOptions): Promise<PlaywrightRunResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...o.env,
    [BRIDGE_ENV.out]: o.bridgeFile,
    [BRIDGE_ENV.stage]: o.stage,
    [BRIDGE_ENV.idPrefix]: o.idPrefix ?? o.stage,
    // The runner's own colours and progress would only be thrown away.
    FORCE_COLOR: '0',
    CI: process.env.CI ?? '1',
  };
  delete env.NODE_OPTIONS; // vitest/tsx loaders must not leak into Playwright's own loader

  const checks: BridgeCheckRecord[] = [];
  let end: BridgeEndRecord | undefined;
  const tail = new LineTail(o.bridgeFile);
  const readNew = async (): Promise<void> => {
    for (const line of await tail.read()) {
      let rec: BridgeRecord;
      try {
        rec = JSON.parse(line) as BridgeRecord;
      } catch {
        continue; // a torn line cannot happen with appendFileSync; ignore garbage defensively
      }
      if (rec.kind === 'check') {
        checks.push(rec);
        o.onCheck(rec);
      } else if (rec.kind === 'end') end = rec;
    }
  };
  // Serialised: a slow read must not overlap the next poll and emit twice.
  let chain = Promise.resolve();
  const drain = (): Promise<void> => (chain = chain.then(readNew, readNew));

  if (o.signal.aborted) return { exitCode: null, signal: null, checks, aborted: true, stderrTail: '' };

  // detached: its own process group, so abort reaches workers and browsers too.
  const child = spawn(process.execPath, playwrightArgs(o), { cwd: o.cwd, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-8000);
  });

  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const killGroup = (sig: NodeJS.Signals): void => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      /* already gone */
    }
  };
  const onAbort = (): void => {
    aborted = true;
    killGroup('SIGTERM');
    killTimer = setTimeout(() => killGroup('SIGKILL'), o.killGraceMs ?? 3000);
    killTimer.unref();
  };
  o.signal.addEventListener('abort', onAbort, { once: true });

  const poll = setInterval(() => void drain(), 100);
  try {
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, sig) => resolve([code, sig]));
    });
    await drain();
    return { exitCode, signal, end, checks, aborted, stderrTail: stderr };
  } finally {
    clearInterval(poll);
    o.signal.removeEventListener('abort', onAbort);
    if (killTimer) clearTimeout(killTimer);
    // Browsers outliving the runner (a crash) are reaped with the group.
    killGroup('SIGKILL');
  }
}
