import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { VerdictReport } from '../../src/core/types.ts';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const PDV_BIN = fileURLToPath(new URL('../../bin/pdv.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the real CLI (`node bin/pdv.js …`) as a black box, the way a pipeline does. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PDV_BIN, ...args], {
      cwd: opts.cwd ?? REPO,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 240_000);
    opts.signal?.addEventListener('abort', () => child.kill('SIGINT'), { once: true });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function readVerdict(runDir: string): VerdictReport {
  return JSON.parse(readFileSync(`${runDir}/verdict.json`, 'utf8')) as VerdictReport;
}

/** The run folder a CLI run printed ("report: <dir>/index.html"). */
export function runDirFrom(result: CliResult): string {
  const m = /report: (.+)\/index\.html/.exec(result.stdout + result.stderr);
  if (!m?.[1] || !existsSync(m[1])) throw new Error(`no run folder in output:\n${result.stdout}\n${result.stderr}`);
  return m[1];
}
