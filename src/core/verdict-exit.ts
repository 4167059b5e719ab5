import type { Verdict } from './types.ts';

/** The one place that maps a verdict to an exit code (DESIGN.md: 0 stand, 1 rollback, 2 hold, 3 usage). */
export const EXIT_USAGE = 3;
export function exitCodeFor(verdict: Verdict): 0 | 1 | 2 {
  return verdict === 'stand' ? 0 : verdict === 'rollback' ? 1 : 2;
}
