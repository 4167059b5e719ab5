// Starts the demo as a child process and waits for its ready line.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(HERE, 'main.ts');
const ROOT = path.dirname(HERE);

export interface StartDemoOptions {
  faults?: string[];
  /** Merged over process.env; an empty string unsets a variable (e.g. DATABASE_URL: ''). */
  env?: Record<string, string>;
  version?: string;
  dataDir?: string;
  /** Take the startup backup + manifest into this folder (the DR stage's source). */
  backupDir?: string;
  https?: boolean;
  /** The app's JSON-lines log file (demo/applog.ts): what `stages.metrics.logs` reads. */
  logFile?: string;
  extraArgs?: string[];
  /** Bound on the wait for the ready line (default 90 s: the first start on a machine builds the PGlite template). */
  readyTimeoutMs?: number;
}

export interface DemoHandle {
  baseUrl: string;
  apiUrl: string;
  httpsUrl?: string;
  pid: number;
  version: string;
  /** Set when started with backupDir: the folder holding the startup backup. */
  backupDir?: string;
  /** The child's stderr so far (the demo's log, already redacted). */
  stderr(): string;
  stop(): Promise<void>;
}

interface ReadyLine { event: 'ready'; baseUrl: string; apiUrl: string; httpsUrl?: string; pid: number; version: string }

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(extra)) {
    if (v === '') delete env[k];
    else env[k] = v;
  }
  return env;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

export async function startDemo(opts: StartDemoOptions = {}): Promise<DemoHandle> {
  const args = ['--import', import.meta.resolve('tsx'), MAIN, '--port', '0', '--host', '127.0.0.1'];
  for (const f of opts.faults ?? []) args.push('--fault', f);
  if (opts.version) args.push('--version', opts.version);
  if (opts.dataDir) args.push('--data-dir', opts.dataDir);
  if (opts.backupDir) args.push('--backup-dir', opts.backupDir);
  if (opts.https) args.push('--https-port', '0');
  if (opts.logFile) args.push('--log-file', opts.logFile);
  args.push(...(opts.extraArgs ?? []));

  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...childEnv(opts.env), DEMO_PARENT_PID: String(process.pid) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-64 * 1024);
  });

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (!(await waitExit(child, 8000))) {
      child.kill('SIGKILL');
      await waitExit(child, 2000);
    }
  };

  const timeoutMs = opts.readyTimeoutMs ?? 90_000;
  try {
    const ready = await new Promise<ReadyLine>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo not ready after ${timeoutMs} ms\n${stderr.slice(-2000)}`)), timeoutMs);
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        try {
          const msg = JSON.parse(line) as Partial<ReadyLine>;
          if (msg.event === 'ready' && msg.baseUrl) {
            clearTimeout(timer);
            resolve(msg as ReadyLine);
          }
        } catch {
          // Not JSON: ignore (stdout should carry only the ready line).
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`demo exited before ready (code ${code}, signal ${signal})\n${stderr.slice(-2000)}`));
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    child.stdout?.resume();
    return { ...ready, stderr: () => stderr, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
