import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { killTagged, OWNER_TAG_ENV, registerOwned, waitGone } from '../platform/reaper.ts';
import type { BridgeCheckRecord, BridgeEndRecord, BridgeRecord } from './protocol.ts';
import { BRIDGE_ENV } from './protocol.ts';
import type { Environ } from '../core/types.ts';

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
  /** The run's environment variables (read once by the config loader): what the child inherits. */
  baseEnv: Environ;
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

/**
 * What the run leaves outside its scratch folder is kept findable: the runner
 * and its browsers carry a tag in their environment (browsers are detached
 * from the runner's process group, so a group kill misses them), and their
 * temp dir — where Chromium makes its `playwright_chromiumdev_profile-*`
 * folders — is a pdv-owned folder removed on every path out. Both, and the
 * scratch folder with the sessions, are registered for startup reaping in
 * case pdv itself is killed -9.
 */
async function ownedRun(o: PlaywrightRunOptions): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  const tag = randomBytes(9).toString('hex');
  const tmp = await mkdtemp(join(o.env.TMPDIR ?? tmpdir(), 'pdv-pwtmp-'));
  const scratch = dirname(o.bridgeFile);
  const owned = [
    registerOwned({ tag, what: 'Playwright runner and browsers' }),
    registerOwned({ dir: tmp, what: 'Playwright temp folder' }),
    ...(basename(scratch).startsWith('pdv-pw-') ? [registerOwned({ dir: scratch, what: 'Playwright sessions and traces' })] : []),
  ];
  const cacheUid = process.getuid?.() ?? '';
  const env = {
    [OWNER_TAG_ENV]: tag,
    TMPDIR: tmp,
    // Keep Playwright's transform cache where it would be without our TMPDIR.
    PLAYWRIGHT_TRANSFORM_CACHE_DIR: o.baseEnv.PLAYWRIGHT_TRANSFORM_CACHE_DIR ?? join(o.env.TMPDIR ?? tmpdir(), `playwright-transform-cache-${cacheUid}`),
  };
  return {
    env,
    async cleanup() {
      // A browser being killed may still fork (zygote, renderers): sweep until none is left.
      for (let round = 0; round < 10; round++) {
        const pids = killTagged(tag);
        if (!pids.length) break;
        await waitGone(pids);
      }
      await rm(tmp, { recursive: true, force: true, maxRetries: 3 });
      for (const off of owned) off();
    },
  };
}

export async function runPlaywright(o: PlaywrightRunOptions): Promise<PlaywrightRunResult> {
  if (o.signal.aborted) return { exitCode: null, signal: null, checks: [], aborted: true, stderrTail: '' };
  const owned = await ownedRun(o);
  try {
    return await runOwned(o, owned.env);
  } finally {
    await owned.cleanup();
  }
}

async function runOwned(o: PlaywrightRunOptions, ownedEnv: Record<string, string>): Promise<PlaywrightRunResult> {
  const env: NodeJS.ProcessEnv = {
    ...o.baseEnv,
    ...o.env,
    [BRIDGE_ENV.out]: o.bridgeFile,
    [BRIDGE_ENV.stage]: o.stage,
    [BRIDGE_ENV.idPrefix]: o.idPrefix ?? o.stage,
    // The runner's own colours and progress would only be thrown away.
    FORCE_COLOR: '0',
    CI: o.baseEnv.CI ?? '1',
    ...ownedEnv,
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
