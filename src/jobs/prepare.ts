import { acquireEnvLock } from '../actions/lock.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { reverifier } from './context.ts';
import type { CheckResult, Target, VerdictReport } from '../core/types.ts';
import { registryOf, sectionOf, settingsOf, type PlannedStage } from './plan.ts';
import type { RunHandle } from './verify.ts';

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
 * taken (one verdict per environment at a time) and the post-verdict
 * sequence is prepared — actions (rollback and its re-verification,
 * notifications, metric publish), then each stage's own after-verdict step
 * (e.g. load keeps a stood run as the next baseline).
 */
export async function prepareRun(input: PrepareInput): Promise<PreparedRun> {
  const { config } = input;
  const registry = registryOf(config);
  const afterVerdict = async (report: VerdictReport, run: RunHandle): Promise<void> => {
    // The rolled-back release gets the deploy's first checks again (ids `<stage>.post-rollback.*`);
    // without a stage that offers re-verification, the rollback action falls back to a health probe.
    const reverify = reverifier({ runId: run.runId, runDir: run.runDir, config, target: report.target, secrets: input.secrets, redactor: run.redactor }, input.signal);
    const verifierName = registry.find((s) => s.reverify)?.name;
    const smoke = reverify && verifierName ? (target: Target): Promise<CheckResult[]> => reverify(target, `${verifierName}.post-rollback`) : undefined;
    const { runActions } = await import('../actions/index.ts');
    const records = await runActions({
      report,
      config,
      runDir: run.runDir,
      reportsDir: config.reportsDir,
      redactor: run.redactor,
      dryRun: input.dryRun || !input.verify,
      signal: input.signal,
      ...(smoke ? { smoke } : {}),
    });
    for (const action of records) run.record({ type: 'action', at: new Date().toISOString(), action });
    // What each stage that ran keeps from a verified run (a stood, complete load run becomes the next baseline).
    if (input.verify) {
      const ran = new Set(report.stages.filter((s) => s.status !== 'skipped').map((s) => s.name));
      for (const stage of registry) {
        if (stage.afterVerdict && ran.has(stage.name)) await stage.afterVerdict({ config: sectionOf(config, stage), settings: settingsOf(config), report });
      }
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
