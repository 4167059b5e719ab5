import { resolve } from 'node:path';
import { acquireEnvLock } from '../actions/lock.ts';
import { reapLeftovers } from '../platform/reaper.ts';
import { checkPlan } from './plan.ts';
import type { Task } from './tasks.ts';
import { refuseUnwritableOut, type VerifyRun } from './verify.ts';

// The tasks before a run folder exists (docs/architecture.md): the plan is
// checked (exit 3, nothing written or sent), what earlier dead runs left is
// reaped, and the environment lock is taken (one verdict per environment at
// a time).

/** Everything knowable before the first request; the stand's private CA trusted by every plain HTTP exchange of the run. */
export const checkPlanTask: Task<VerifyRun> = {
  title: 'check the plan',
  async setup(run) {
    const { config } = run;
    // A reused or unwritable --out is refused before the lock or anything else is written or sent.
    if (run.out) refuseUnwritableOut(resolve(run.cwd ?? process.cwd(), run.out));
    await checkPlan({
      config,
      target: run.target,
      stages: run.stages,
      secrets: run.secrets,
      imports: run.imports ?? [],
      ...(run.grep ? { grep: run.grep } : {}),
      ...(run.shard ? { shard: run.shard } : {}),
      ...(run.segment ? { segment: run.segment } : {}),
    });
  },
};

/** What an earlier pdv killed with -9 left behind (browsers, Prometheus, restored apps, temp folders); each line to `onReaped`. */
export function reapTask(onReaped: (line: string) => void = () => {}): Task<VerifyRun> {
  return {
    title: 'reap leftovers',
    async setup(run) {
      run.reaped = await reapLeftovers();
      for (const line of run.reaped) onReaped(line);
    },
  };
}

/** The environment lock; not had within `lockTimeout`, the run records why (errored → hold) and runs no stage. */
export function lockTask(): Task<VerifyRun> {
  let release: (() => Promise<void>) | undefined;
  return {
    title: 'lock the environment',
    async setup(run) {
      const { config } = run;
      const lock = await acquireEnvLock(config.reportsDir, config.environmentName, { timeoutMs: config.lockTimeout, signal: run.signal });
      if (!('timedOut' in lock)) {
        release = () => lock.release();
        return;
      }
      const h = lock.holder;
      const message = `another pdv verify holds the ${config.environmentName} lock (pid ${h.pid}${h.runId ? `, run ${h.runId}` : ''}, since ${h.startedAt}); waited ${Math.round(config.lockTimeout / 1000)}s — one verdict per environment at a time`;
      run.preChecks = [
        ...(run.preChecks ?? []),
        { id: 'run.lock', stage: 'run', title: 'environment lock', severity: 'critical', onFail: 'hold', status: 'errored', message, durationMs: config.lockTimeout, attempts: 1, evidence: [{ kind: 'json', label: 'lock holder', data: h }] },
      ];
      run.stages = [];
    },
    async teardown() {
      await release?.();
    },
  };
}
