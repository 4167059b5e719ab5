import type { CheckStatus } from '../core/types.ts';

// One pure function turns a test's attempts into a check status, the way
// Playwright's computeTestCaseOutcome does for expected/unexpected/flaky.

export type AttemptStatus = 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';

export interface Attempt {
  status: AttemptStatus;
  /** First error message of the attempt, if any. */
  error?: string;
}

/** Errors that say the harness could not run the check, not that the target failed it. */
const INFRA_ERROR = [
  /browserType\.launch/i,
  /Executable doesn't exist/i,
  /Failed to launch/i,
  /Browser (?:closed|has been closed) unexpectedly/i,
  /exceeded while setting up "(?:browser|context|page|_[\w]+)"/i,
  /exceeded while running "before(?:Each|All)" hook/i,
  /Worker process exited unexpectedly/i,
  // A spec's own PreconditionError (src/playwright/precondition.ts).
  /\[pdv:precondition\]/,
  /PreconditionError/,
];

export function isInfrastructureError(message: string | undefined): boolean {
  return !!message && INFRA_ERROR.some((re) => re.test(message));
}

export interface Outcome {
  status: CheckStatus;
  attempts: number;
  /** The attempt whose error explains the status (the last failing one). */
  error?: string;
}

export function computeOutcome(attempts: readonly Attempt[]): Outcome {
  const n = attempts.length;
  const last = attempts[n - 1];
  if (!last) return { status: 'errored', attempts: 0, error: 'the test never ran' };
  if (last.status === 'passed') {
    const firstFailure = attempts.find((a) => a.status !== 'passed');
    return firstFailure ? { status: 'flaky', attempts: n, error: firstFailure.error } : { status: 'passed', attempts: n };
  }
  if (last.status === 'skipped') return { status: 'skipped', attempts: n };
  if (last.status === 'interrupted') return { status: 'errored', attempts: n, error: last.error ?? 'interrupted before it finished' };
  if (isInfrastructureError(last.error)) return { status: 'errored', attempts: n, error: last.error };
  return { status: 'failed', attempts: n, error: last.error ?? `test ${last.status}` };
}
