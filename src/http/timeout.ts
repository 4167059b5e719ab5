// A per-attempt deadline tied to a parent signal. One fresh controller and
// timer per attempt: combined `AbortSignal.any([parent, AbortSignal.timeout()])`
// signals were seen to stop firing after a couple of attempts on Node 20 with
// undici 7, letting a target that accepts and never answers hang the stage.

export interface AttemptSignal {
  signal: AbortSignal;
  /** Whether the attempt's own deadline (not the parent) aborted it. */
  timedOut(): boolean;
  clear(): void;
}

/** Node timers hold at most 2^31-1 ms; longer waits fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

export function attemptSignal(parent: AbortSignal, timeoutMs: number): AttemptSignal {
  const controller = new AbortController();
  let timedOut = false;
  const onParent = (): void => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onParent, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`no answer within ${timeoutMs} ms`));
  }, Math.min(Math.max(1, timeoutMs), MAX_TIMER_MS));
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    clear: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}
