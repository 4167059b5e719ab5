import { acquireEnvLock, runActions } from '../actions/index.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { makeContext } from '../core/orchestrator.ts';
import type { CheckResult, Target, VerdictReport } from '../core/types.ts';
import type { PlannedStage } from '../jobs/plan.ts';
import type { RunHandle } from '../jobs/verify.ts';

export interface PreparedRun {
  /** Runs after the first verdict: rollback, notifications, metric publish, baselines. */
  afterVerdict?: (report: VerdictReport, run: RunHandle) => Promise<void>;
  /** Checks recorded before any stage runs (e.g. the environment lock could not be had). */
  preChecks: CheckResult[];
  /** Stages to run (none when a pre-check already decided the run cannot go on). */
  stages: PlannedStage[];
  release(): Promise<void>;
}

export interface PrepareInput {
  config: ResolvedConfig;
  stages: PlannedStage[];
  imports: string[];
  dryRun: boolean;
  /** Only `pdv verify` (and `pdv demo`) fire actions. */
  verify: boolean;
  /** Take the environment lock (default: when verifying). Each `pdv demo` is its own deployment and takes none. */
  lock?: boolean;
  signal: AbortSignal;
  secrets: ReadonlyMap<string, string>;
}

/**
 * Everything settled before the run folder exists: the environment lock is
 * taken (one verdict per environment at a time) and the post-verdict actions
 * are prepared.
 */
export async function prepareRun(input: PrepareInput): Promise<PreparedRun> {
  const { config } = input;
  // Scanner reports are read and validated before anything is written: a bad file is exit 3.
  if (input.stages.some((s) => s.name === 'security') && (input.imports.length > 0 || config.stages.security.imports.length > 0)) {
    const { loadScannerFiles } = await import('../stages/security/importers/index.ts');
    await loadScannerFiles(input.imports, config);
  }
  const afterVerdict = async (report: VerdictReport, run: RunHandle): Promise<void> => {
    const smoke = async (target: Target): Promise<CheckResult[]> => {
      const { runSmoke } = await import('../stages/smoke/run.ts');
      const ctx = makeContext({ runId: run.runId, runDir: run.runDir, config, target, secrets: input.secrets, redactor: run.redactor }, 'smoke', input.signal, () => {});
      return runSmoke(ctx, target, { idPrefix: 'smoke.post-rollback' });
    };
    const records = await runActions({
      report,
      config,
      runDir: run.runDir,
      reportsDir: config.reportsDir,
      redactor: run.redactor,
      dryRun: input.dryRun || !input.verify,
      signal: input.signal,
      smoke,
    });
    for (const action of records) run.record({ type: 'action', at: new Date().toISOString(), action });
    // A stood, complete run becomes the load baseline the next deploy is compared with.
    if (input.verify && report.extras.load !== undefined) {
      const { recordLoadBaseline } = await import('../stages/load/baseline.ts');
      await recordLoadBaseline(report, config);
    }
  };

  if (!(input.lock ?? input.verify)) return { afterVerdict, preChecks: [], stages: input.stages, release: async () => {} };

  const lock = await acquireEnvLock(config.reportsDir, config.environmentName, { timeoutMs: config.lockTimeout, signal: input.signal });
  if ('timedOut' in lock) {
    const h = lock.holder;
    const message = `another pdv verify holds the ${config.environmentName} lock (pid ${h.pid}${h.runId ? `, run ${h.runId}` : ''}, since ${h.startedAt}); waited ${Math.round(config.lockTimeout / 1000)}s — one verdict per environment at a time`;
    return {
      preChecks: [{ id: 'run.lock', stage: 'run', title: 'environment lock', severity: 'critical', onFail: 'hold', status: 'errored', message, durationMs: config.lockTimeout, attempts: 1, evidence: [{ kind: 'json', label: 'lock holder', data: h }] }],
      stages: [],
      release: async () => {},
    };
  }
  return { afterVerdict, preChecks: [], stages: input.stages, release: () => lock.release() };
}
