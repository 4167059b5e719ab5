import type { CheckResult, StageStatus } from '../core/types.ts';

// What the executor needs around one stage's run: its status, the checks
// for unfinished work, the grace for a stage that ignores its signal.

/** The signal that interrupted the run (the CLI aborts with an Error named for it), SIGINT when it does not say. */
export function signalName(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  const message = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : '';
  return /^SIG[A-Z]+$/.test(message) ? message : 'SIGINT';
}

/** A stage passed only on evidence: failed wins, then errored, and all-skipped is skipped. */
export function stageStatusOf(checks: readonly CheckResult[]): StageStatus {
  if (checks.some((c) => c.status === 'failed')) return 'failed';
  if (checks.some((c) => c.status === 'errored')) return 'errored';
  if (checks.length > 0 && checks.every((c) => c.status === 'skipped')) return 'skipped';
  return 'passed';
}

export function harnessCheck(stage: string, slug: string, message: string, durationMs: number): CheckResult {
  return {
    id: `${stage}.${slug}`,
    stage,
    title: `${stage} stage completed`,
    severity: 'critical',
    status: 'errored',
    message,
    durationMs,
    attempts: 1,
    evidence: [],
  };
}

/** A stage that ignores its abort signal is abandoned after a grace period rather than hanging the run. */
export async function abandonAfterGrace(work: Promise<void>, signal: AbortSignal, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const abandoned = new Promise<void>((resolve) => {
    const onAbort = () => {
      timer = setTimeout(resolve, graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([work.catch((err: unknown) => {
      if (signal.aborted) return; // errors after abort are the abort's doing
      throw err;
    }), abandoned]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
