import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { registerOwned } from '../platform/reaper.ts';
import type { Environ } from '../core/types.ts';

// Start the app on the restored copy (the configured command with
// {dataDir}/{databaseUrl} filled in), wait until it says it is ready, and
// stop it — the whole process group — on every path.

export interface AppSpec {
  command: string[];
  env: Record<string, string>;
  /** The run's environment variables, which the app inherits under `env`. */
  baseEnv: Environ;
  baseUrl?: string;
  startTimeoutMs: number;
  cwd: string;
}

export interface RunningApp {
  baseUrl: string;
  pid: number;
  /** Last lines of the app's output, for evidence (redact before recording). */
  output(): string;
  stop(): Promise<void>;
}

export function fillPlaceholders(arg: string, values: Record<string, string>): string {
  return arg.replace(/\{(\w+)\}/g, (m, key: string) => values[key] ?? m);
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    child.kill(sig);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export async function startApp(spec: AppSpec, placeholders: Record<string, string>, signal: AbortSignal): Promise<RunningApp> {
  const [file, ...args] = spec.command.map((a) => fillPlaceholders(a, placeholders));
  if (!file) throw new Error('stages.dr.app.command is empty');
  const child = spawn(file, args, { cwd: spec.cwd, env: { ...spec.baseEnv, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // Its own process group (so the whole tree stops), hence no automatic death with us: kill it if pdv exits first.
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);
  // kill -9 of pdv runs no exit handler: the next pdv reaps it (src/platform/reaper.ts).
  const unregister = child.pid ? registerOwned({ pid: child.pid, what: 'restored DR app' }) : () => undefined;
  child.once('exit', () => {
    process.removeListener('exit', killOnExit);
    unregister();
  });
  const tail: string[] = [];
  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
  };
  let ready: ((url: string) => void) | undefined;
  const readyLine = new Promise<string>((r) => (ready = r));
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      keep(line);
      if (line.startsWith('{')) {
        try {
          const msg = JSON.parse(line) as { event?: string; baseUrl?: string };
          if (msg.event === 'ready' && typeof msg.baseUrl === 'string') ready?.(msg.baseUrl);
        } catch {
          // not JSON: ordinary log output
        }
      }
    }
  });
  child.stderr?.on('data', (d: Buffer) => d.toString().split('\n').filter(Boolean).forEach(keep));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, sig) => reject(new Error(`the app exited before it was ready (${sig ?? `exit ${code}`})`))),
  );
  const failed = new Promise<never>((_, reject) => child.once('error', reject));
  const app: RunningApp = { baseUrl: '', pid: child.pid ?? -1, output: () => tail.join('\n'), stop: () => stopChild(child) };
  try {
    const timeout = sleep(spec.startTimeoutMs, undefined, { signal }).then(() => {
      throw new Error(`the app did not become ready within ${Math.round(spec.startTimeoutMs / 1000)}s`);
    });
    const url = spec.baseUrl ? waitForUrl(spec.baseUrl, signal) : readyLine;
    app.baseUrl = await Promise.race([url, exited, failed, timeout]);
    return app;
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

async function waitForUrl(baseUrl: string, signal: AbortSignal): Promise<string> {
  for (;;) {
    signal.throwIfAborted();
    try {
      // Any answer below 500 on / means the restored app listens; the smoke checks judge it after.
      const res = await request(new URL('/', baseUrl), { signal, headersTimeout: 2_000, bodyTimeout: 2_000 });
      await res.body.dump();
      if (res.statusCode < 500) return baseUrl;
    } catch {
      // not listening yet
    }
    await sleep(250, undefined, { signal });
  }
}
