import { errorMessage } from '../core/errors.ts';
import type { ActionRecord } from '../core/types.ts';
import { sleep } from '../platform/sleep.ts';

// One outbound attempt either succeeds, fails for good (a 4xx, a bad config)
// or fails transiently (network, timeout, 408/425/429/5xx, a non-zero exit):
// only the last kind is retried, with exponential backoff and jitter.

export type Attempt = ActionRecord['attempts'][number];

export interface AttemptOutcome {
  ok: boolean;
  /** Retry this failure? Ignored when ok. */
  transient?: boolean;
  message: string;
  /** Server hint (Retry-After), in ms. */
  retryAfterMs?: number;
  data?: Record<string, unknown>;
}

export interface RetryOptions {
  retries: number;
  backoff: number;
  maxBackoff: number;
  signal?: AbortSignal;
  /** Injected in tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface RetryResult {
  ok: boolean;
  attempts: Attempt[];
  last: AttemptOutcome;
}

export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}

export async function withRetries(
  run: (attempt: number) => Promise<AttemptOutcome>,
  opts: RetryOptions,
): Promise<RetryResult> {
  const sleep = opts.sleep ?? abortableSleep;
  const random = opts.random ?? Math.random;
  const attempts: Attempt[] = [];
  let last: AttemptOutcome = { ok: false, message: 'not attempted' };
  for (let i = 0; i <= opts.retries; i++) {
    if (opts.signal?.aborted) {
      last = { ok: false, message: `aborted before attempt ${i + 1}` };
      break;
    }
    const at = new Date().toISOString();
    const started = performance.now();
    try {
      last = await run(i + 1);
    } catch (err) {
      last = { ok: false, transient: !(err instanceof PermanentError), message: errorMessage(err) };
    }
    attempts.push({ at, ok: last.ok, message: last.message, durationMs: Math.round(performance.now() - started) });
    if (last.ok || !last.transient || i === opts.retries) break;
    const exp = Math.min(opts.maxBackoff, opts.backoff * 2 ** i);
    const wait = Math.min(opts.maxBackoff, Math.max(last.retryAfterMs ?? 0, exp * (0.5 + random() / 2)));
    try {
      await sleep(Math.round(wait), opts.signal);
    } catch {
      break; // aborted while waiting
    }
  }
  return { ok: last.ok, attempts, last };
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(ms, signal);
}

/** HTTP statuses worth another try. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Retry-After as seconds or an HTTP date, in ms (capped by the caller). */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const d = Date.parse(value);
  return Number.isNaN(d) ? undefined : Math.max(0, d - Date.now());
}
