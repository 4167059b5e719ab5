import { setTimeout as delay } from 'node:timers/promises';

/** Wait `ms`, or reject with the signal's reason as soon as it is aborted. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (err) {
    throw signal?.aborted ? (signal.reason as Error) : err;
  }
}
