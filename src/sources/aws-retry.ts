import { errorMessage } from '../core/errors.ts';
import { sleep } from '../platform/sleep.ts';
import { isThrottling } from './cloudwatch.ts';
import { SourceError } from './types.ts';

// One AWS call with backoff while throttled (exponential, ±50% jitter);
// throttled to the end or any other failure is a SourceError (no evidence).

export interface RetryOptions {
  maxRetries: number;
  baseDelayMs: number;
  signal?: AbortSignal;
}

export async function sendWithBackoff<T>(source: string, what: string, call: () => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (opts.signal?.aborted) throw new SourceError(source, `${what}: aborted`, { cause: err });
      if (isThrottling(err) && attempt < opts.maxRetries) {
        await sleep(opts.baseDelayMs * 2 ** attempt * (0.5 + Math.random()), opts.signal).catch(() => undefined);
        continue;
      }
      const suffix = isThrottling(err) ? ` (still throttled after ${attempt + 1} attempts)` : '';
      throw new SourceError(source, `${what} failed: ${errorMessage(err)}${suffix}`, { cause: err });
    }
  }
}
