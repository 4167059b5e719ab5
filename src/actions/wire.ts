import type { ResolvedConfig } from '../config/types.ts';
import type { StageContext } from '../core/stage.ts';
import type { CheckResult, Target, VerdictReport } from '../core/types.ts';
import type { RunHandle } from '../runner/verify.ts';
import { acquireEnvLock, type LockHolder } from './lock.ts';
import { runActions } from './index.ts';

// Glue for `pdv verify` (src/cli/prepare.ts): the environment lock before the
// run, and the actions after the verdict, recorded as `action` events so
// verdict.json and every report carry them.

export const DEFAULT_LOCK_TIMEOUT_MS = 10 * 60_000;

export interface EnvLockOutcome {
  release(): Promise<void>;
  /** Empty when the lock was taken; else one errored check that makes the verdict hold. */
  preChecks: CheckResult[];
}

/** Take the environment lock; a timeout is not an error but a `hold` with a clear message. */
export async function takeEnvLock(config: ResolvedConfig, opts: { timeoutMs?: number; runId?: string; signal?: AbortSignal } = {}): Promise<EnvLockOutcome> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const started = Date.now();
  const r = await acquireEnvLock(config.reportsDir, config.environmentName, { timeoutMs, ...(opts.runId ? { runId: opts.runId } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  if (!('timedOut' in r)) return { release: () => r.release(), preChecks: [] };
  return { release: async () => {}, preChecks: [lockCheck(config.environmentName, r.holder, Date.now() - started)] };
}

export function lockCheck(environment: string, holder: LockHolder, waitedMs: number): CheckResult {
  const who = `pid ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}${holder.runId ? `, run ${holder.runId}` : ''}`;
  return {
    id: 'lock.environment',
    stage: 'lock',
    title: `One verification of ${environment} at a time`,
    severity: 'critical',
    onFail: 'hold',
    status: 'errored',
    message: `Another pdv verify of ${environment} has held the lock since ${holder.startedAt} (${who}); waited ${Math.round(waitedMs / 1000)} s. Not verified: run again when it is done.`,
    durationMs: waitedMs,
    attempts: 1,
    evidence: [{ kind: 'json', label: 'lock holder', data: holder }],
  };
}

/** The post-rollback smoke: the smoke stage's own checks against the rolled-back target. */
export function postRollbackSmoke(config: ResolvedConfig, run: RunHandle, secrets: ReadonlyMap<string, string>, signal: AbortSignal): (target: Target) => Promise<CheckResult[]> {
  return async (target) => {
    const { runSmoke } = await import('../stages/smoke/run.ts');
    const ctx: StageContext = {
      runId: run.runId,
      runDir: run.runDir,
      config,
      target,
      secrets,
      redactor: run.redactor,
      signal,
      imports: [],
      // The checks come back as the function's result; they are reported inside the action record.
      emit: () => {},
      check: () => {},
      progress: () => {},
    };
    return runSmoke(ctx, target, { idPrefix: 'post-rollback' });
  };
}

/** `afterVerdict` for runVerification: run the actions, record each as an event. */
export function actionsAfterVerdict(opts: {
  config: ResolvedConfig;
  dryRun: boolean;
  secrets: ReadonlyMap<string, string>;
  signal: AbortSignal;
  env?: NodeJS.ProcessEnv;
}): (report: VerdictReport, run: RunHandle) => Promise<void> {
  return async (report, run) => {
    const records = await runActions({
      report,
      config: opts.config,
      runDir: run.runDir,
      reportsDir: opts.config.reportsDir,
      redactor: run.redactor,
      dryRun: opts.dryRun,
      signal: opts.signal,
      smoke: postRollbackSmoke(opts.config, run, opts.secrets, opts.signal),
      ...(opts.env ? { env: opts.env } : {}),
    });
    for (const action of records) run.record({ type: 'action', at: new Date().toISOString(), action });
  };
}
