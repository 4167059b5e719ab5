import { GRADE_NAMES, gradeFor, MINIMUM_SCORE_FOR_EXTRA_CREDIT } from './score-table.ts';
import { OBSERVATORY_TESTS } from './header-rules.ts';
import type { GradeResult, ObservatoryInput } from './types.ts';

export type { GradeResult, ObservatoryInput, TestOutcome, TestName } from './types.ts';
export { gradeFor, GRADE_NAMES } from './score-table.ts';

/** true when `grade` is at least as good as `minimum`. */
export function gradeAtLeast(grade: string, minimum: string): boolean {
  return GRADE_NAMES.indexOf(grade) <= GRADE_NAMES.indexOf(minimum);
}

/** Score as the Observatory does: start at 100, add every modifier, keep bonuses only for an A without them. */
export function gradeSite(input: ObservatoryInput): GradeResult {
  const tests = OBSERVATORY_TESTS.map((t) => t(input));
  let withBonus = 100;
  let uncurved = 100;
  for (const t of tests) {
    withBonus += t.modifier;
    if (t.modifier < 0) uncurved += t.modifier;
  }
  const score = Math.max(uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withBonus : uncurved, 0);
  const passed = tests.filter((t) => t.pass).length;
  return { score, grade: gradeFor(score), tests, testsPassed: passed, testsFailed: tests.length - passed };
}
