import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { errorMessage } from '../../core/errors.ts';
import type { CommandAction } from '../config.ts';
import { fill, templateEnv } from '../template.ts';
import { PermanentError, withRetries, type AttemptOutcome, type RetryResult } from '../retry.ts';
import type { ExecContext } from './context.ts';

// A rollback command (e.g. a blue-green switch-back script). It gets the
// verdict as PDV_* env vars; exit 0 is success, anything else is retried.

const TAIL = 2_000;
// Raw output is kept longer than the tail and redacted before the tail is cut:
// cutting first could leave part of a secret the redactor no longer recognises.
const RAW_TAIL = TAIL + 8_192;

export function describeCommand(action: CommandAction, ctx: ExecContext): string {
  const argv = Array.isArray(action.command) ? action.command.map((a) => fill(a, ctx.vars)).join(' ') : fill(action.command, ctx.vars);
  return `run \`${ctx.redactor.text(argv)}\``;
}

export async function runCommand(action: CommandAction, ctx: ExecContext): Promise<RetryResult> {
  return withRetries(() => once(action, ctx), { ...action, signal: ctx.signal, sleep: ctx.sleep });
}

function once(action: CommandAction, ctx: ExecContext): Promise<AttemptOutcome> {
  const cwd = action.cwd ? resolve(ctx.rootDir, action.cwd) : ctx.rootDir;
  const env = { ...ctx.env, ...action.env, ...templateEnv(ctx.vars), PDV_DELIVERY_ID: ctx.deliveryId };
  const [file, args, shell] = Array.isArray(action.command)
    ? [fill(action.command[0] as string, ctx.vars), action.command.slice(1).map((a) => fill(a, ctx.vars)), false]
    : [fill(action.command, ctx.vars), [], true];
  return new Promise((done, fail) => {
    let out = '';
    const keep = (chunk: Buffer): void => {
      out = (out + chunk.toString('utf8')).slice(-RAW_TAIL);
    };
    let child;
    try {
      child = spawn(file, args, { cwd, env, shell, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    } catch (err) {
      return fail(new PermanentError(errorMessage(err)));
    }
    let timedOut = false;
    const kill = (): void => {
      // The whole process group, so a shell's children go too.
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      setTimeout(() => {
        try {
          if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 3_000).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, action.timeout);
    const onAbort = (): void => kill();
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (err) => {
      clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', onAbort);
      const enoent = (err as NodeJS.ErrnoException).code === 'ENOENT';
      done({ ok: false, transient: !enoent, message: `command could not start: ${errorMessage(err)}` });
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', onAbort);
      const output = ctx.redactor.text(out).slice(-TAIL);
      const tail = output.trim().split('\n').slice(-5).join(' | ');
      const data = { exitCode: code, signal: sig, output };
      if (code === 0) return done({ ok: true, message: `exit 0${tail ? ` — ${tail}` : ''}`, data });
      const why = timedOut ? `timed out after ${action.timeout} ms` : sig ? `killed by ${sig}` : `exit ${code}`;
      done({ ok: false, transient: !ctx.signal?.aborted, message: `${why}${tail ? ` — ${tail}` : ''}`, data });
    });
  });
}
