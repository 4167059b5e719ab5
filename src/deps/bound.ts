// One bound for a step of a probe: a timeout, or the run's abort signal.

export class AbortedError extends Error {
  override readonly name = 'AbortedError';
}

export class StepTimeoutError extends Error {
  override readonly name = 'StepTimeoutError';
}

/** Resolve with `work`, or reject on `ms` (StepTimeoutError) or on `signal` (AbortedError); `onGiveUp` closes what work holds. */
export function bounded<T>(work: Promise<T>, ms: number, what: string, signal?: AbortSignal, onGiveUp?: () => void): Promise<T> {
  if (signal?.aborted) {
    onGiveUp?.();
    work.catch(() => undefined);
    return Promise.reject(new AbortedError(`aborted before ${what}`));
  }
  return new Promise<T>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      done();
      onGiveUp?.();
      reject(new AbortedError(`aborted during ${what}`));
    };
    const timer = setTimeout(() => {
      done();
      onGiveUp?.();
      reject(new StepTimeoutError(`${what} did not finish within ${ms} ms`));
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        done();
        resolve(v);
      },
      (err: unknown) => {
        done();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
