import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';

// A test server as a plain child process: spawn, wait until `ready()` says
// yes (failing early if it exits), stop with SIGTERM then SIGKILL, and
// remove its temp folder on every path.

export interface ServerProcess {
  child: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startServerProcess(bin: string, args: string[], opts: { dir: string; what: string; ready: () => Promise<boolean>; readyTimeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<ServerProcess> {
  let output = '';
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(opts.env ? { env: opts.env } : {}) });
  const keep = (b: Buffer): void => {
    output = (output + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(opts.dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
    for (;;) {
      if (spawnError) throw new Error(`${opts.what} could not start: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${opts.what} exited (${child.exitCode ?? child.signalCode}): ${output.slice(-2000)}`);
      if (await opts.ready()) break;
      if (Date.now() > deadline) throw new Error(`${opts.what} not ready after ${opts.readyTimeoutMs ?? 20_000} ms: ${output.slice(-2000)}`);
      await sleep(50);
    }
    return { child, log: () => output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
