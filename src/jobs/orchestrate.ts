import type { ResolvedConfig } from '../config/types.ts';
import { isCriticalRollbackFailure } from '../core/policy.ts';
import { applyRules } from '../core/verdict.ts';
import { Executor, type OrchestratorInput, type OrchestratorResult } from './executor.ts';
import { schedule, scheduleEntry } from './schedule.ts';

// The stages of a run: the schedule computed from what they declare
// (jobs/schedule.ts), run by the executor (jobs/executor.ts), with fail-fast
// as a subscriber to the events they record.

export type { OrchestratorInput, OrchestratorResult } from './executor.ts';

/**
 * Runs the planned stages: per-stage timeouts, a global deadline, SIGINT,
 * fail-fast; side by side as the schedule says when `parallel`. A critical
 * rollback-failure stops the running stages after the one that found it in
 * the plan (the ones before it finish, as one by one) and skips the rest;
 * so the checks and the verdict are the ones one by one gives.
 */
export async function orchestrate(input: OrchestratorInput): Promise<OrchestratorResult> {
  const runAt = new Date((input.now ?? Date.now)());
  const phases = schedule(input.stages.map(scheduleEntry), { parallel: input.parallel === true, maxParallel: input.maxParallel ?? 3 });
  const executor = new Executor(input);
  if (input.failFast) failFastOn(executor, input.config, runAt);
  return executor.run(phases);
}

/** Fail-fast: a stage's first critical rollback-failure (after overrides and quarantine) stops what comes after it. */
export function failFastOn(executor: Executor, config: ResolvedConfig, runAt: Date): void {
  const rules = { overrides: config.policy.overrides, quarantine: config.quarantine };
  const failed = new Set<number>();
  executor.subscribe((index, e) => {
    if (e.type !== 'check' || failed.has(index)) return;
    if (!isCriticalRollbackFailure(applyRules(e.check, rules, runAt), config.policy)) return;
    // The stage that found it finishes its own work, as it would alone.
    failed.add(index);
    executor.failFast(index, e.check.id);
  });
}
