import { setTimeout as sleepFor } from 'node:timers/promises';

// A poll loop with a deadline, used for RDS waits. Injected sleep and clock
// keep its tests fast; it stops on abort.

export type PollOutcome = { done: true } | { done: false; state: string } | { fail: string };

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  intervalMs: number;
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export async function waitUntil(poll: () => Promise<PollOutcome>, opts: WaitOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, signal ? { signal } : {}));
  const deadline = now() + opts.timeoutMs;
  let last = 'unknown';
  for (;;) {
    opts.signal?.throwIfAborted();
    const out = await poll();
    if ('fail' in out) throw new Error(`${opts.what}: ${out.fail}`);
    if (out.done) return;
    last = out.state;
    if (now() + opts.intervalMs > deadline) {
      throw new WaitTimeoutError(`${opts.what}: still "${last}" after ${Math.round(opts.timeoutMs / 1000)}s`);
    }
    await sleep(opts.intervalMs, opts.signal);
  }
}
