import { fetch, type Dispatcher } from 'undici';
import { pickJson } from '../auth/index.ts';
import { errorMessage } from '../core/errors.ts';
import type { Redactor } from '../core/redact.ts';
import type { ActionRecord, CheckResult, Target } from '../core/types.ts';
import type { PostRollbackConfig } from './config.ts';
import { abortableSleep } from './retry.ts';

// After a rollback: wait (bounded) until the environment reports the previous
// version, then run the smoke checks against it. The record says whether the
// rollback restored health; anything short of proof says it did not.

export type SmokeFn = (target: Target) => Promise<CheckResult[]>;

export interface VerifyInput {
  target: Target;
  cfg: PostRollbackConfig;
  /** The environment's version endpoint (environments.<env>.version). */
  version?: { path: string; on: 'api' | 'web'; field?: string | undefined; header?: string | undefined };
  /** What the environment should report after the rollback; unknown → anything but failedVersion. */
  previousVersion?: string;
  failedVersion?: string;
  smoke?: SmokeFn;
  redactor: Redactor;
  signal?: AbortSignal;
  /** The run's transport to the target (its private CA trusted); undici's default without one. */
  dispatcher?: Dispatcher | undefined;
}

interface VersionWait {
  ok: boolean;
  observed?: string;
  waitedMs: number;
  polls: number;
  message: string;
}

export async function verifyAfterRollback(input: VerifyInput): Promise<ActionRecord> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const wait = await waitForVersion(input);
  const attempts: ActionRecord['attempts'] = [{ at: startedAt, ok: wait.ok, message: wait.message, durationMs: wait.waitedMs }];
  const details: Record<string, unknown> = {
    previousVersion: input.previousVersion ?? null,
    failedVersion: input.failedVersion ?? null,
    observedVersion: wait.observed ?? null,
    versionWaitMs: wait.waitedMs,
    healthRestored: false,
  };
  const finish = (ok: boolean, message: string): ActionRecord => ({
    kind: 'post-rollback',
    name: 'verify',
    status: ok ? 'succeeded' : 'failed',
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    attempts,
    message: input.redactor.text(message),
    details: ok ? details : { ...details, needsPerson: true },
  });
  if (!wait.ok) return finish(false, `Rollback not confirmed: ${wait.message}; health NOT restored`);

  const smokeAt = new Date().toISOString();
  const s0 = performance.now();
  const target: Target = {
    ...input.target,
    expectedVersion: input.previousVersion ?? wait.observed,
    observedVersion: wait.observed,
  };
  let checks: CheckResult[];
  let source: string;
  try {
    if (input.smoke) {
      checks = await input.smoke(target);
      source = 'smoke';
    } else {
      checks = [await healthProbe(target, input.cfg, input.signal, input.dispatcher)];
      source = 'health probe (no smoke function given)';
    }
  } catch (err) {
    checks = [];
    source = `smoke could not run: ${errorMessage(err)}`;
  }
  const bad = checks.filter((c) => !c.dryRun && (c.status === 'failed' || c.status === 'errored') && c.severity !== 'minor');
  const healthy = checks.length > 0 && bad.length === 0;
  const summary = {
    source,
    total: checks.length,
    passed: checks.filter((c) => c.status === 'passed' || c.status === 'flaky').length,
    failed: checks.filter((c) => c.status === 'failed').length,
    errored: checks.filter((c) => c.status === 'errored').length,
    checks: checks.map((c) => ({ id: c.id, title: c.title, severity: c.severity, status: c.status, message: c.message ?? '' })),
  };
  const smokeMsg = checks.length === 0
    ? `no post-rollback checks ran (${source})`
    : healthy
      ? `post-rollback ${source}: ${summary.passed}/${summary.total} passed`
      : `post-rollback ${source}: ${bad.map((c) => `${c.id} ${c.status}`).join(', ')}`;
  attempts.push({ at: smokeAt, ok: healthy, message: input.redactor.text(smokeMsg), durationMs: Math.round(performance.now() - s0) });
  details.smoke = input.redactor.deep(summary);
  details.healthRestored = healthy;
  return finish(
    healthy,
    healthy
      ? `Health restored: ${wait.message}; ${smokeMsg}`
      : `Rollback did NOT restore health: ${wait.message}; ${smokeMsg}`,
  );
}

async function waitForVersion(input: VerifyInput): Promise<VersionWait> {
  const path = input.cfg.versionPath ?? input.version?.path;
  // Nothing says where the version is: the smoke checks alone are the proof.
  if (!path) return { ok: true, waitedMs: 0, polls: 0, message: 'no version endpoint configured (environments.<env>.version): smoke checks only' };
  const base = input.version?.on === 'web' && !input.cfg.versionPath ? input.target.baseUrl : (input.target.apiUrl ?? input.target.baseUrl);
  const url = new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`).toString();
  const header = input.cfg.versionPath ? undefined : input.version?.header;
  const field = input.cfg.versionField ?? input.version?.field ?? 'version';
  const label = path;
  const t0 = performance.now();
  const want = input.previousVersion;
  let observed: string | undefined;
  let lastProblem = '';
  let polls = 0;
  const deadline = Date.now() + input.cfg.timeout;
  for (;;) {
    polls++;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(Math.max(1_000, Math.min(10_000, input.cfg.timeout))), ...(input.dispatcher ? { dispatcher: input.dispatcher } : {}) });
      const value = header ? res.headers.get(header) : pickJson(await res.json().catch(() => undefined), field);
      if (res.ok && (typeof value === 'string' || typeof value === 'number')) {
        observed = String(value);
        const done = want ? observed === want : observed !== input.failedVersion;
        if (done) {
          const waitedMs = Math.round(performance.now() - t0);
          return { ok: true, observed, waitedMs, polls, message: `${label} reports ${observed}${want ? '' : ` (was ${input.failedVersion ?? 'unknown'})`}` };
        }
        lastProblem = `still reports ${observed}`;
      } else {
        lastProblem = `HTTP ${res.status}`;
      }
    } catch (err) {
      lastProblem = errorMessage(err);
    }
    if (Date.now() >= deadline || input.signal?.aborted) break;
    try {
      await abortableSleep(Math.min(input.cfg.interval, Math.max(0, deadline - Date.now())), input.signal);
    } catch {
      break;
    }
  }
  const waitedMs = Math.round(performance.now() - t0);
  const wanted = want ? `version ${want}` : `a version other than ${input.failedVersion ?? 'the failed one'}`;
  return { ok: false, observed, waitedMs, polls, message: `waited ${waitedMs} ms for ${label} to report ${wanted}; last: ${lastProblem}` };
}

/** Fallback when no smoke function is wired: GET / must answer without a server error. */
async function healthProbe(target: Target, cfg: PostRollbackConfig, signal?: AbortSignal, dispatcher?: Dispatcher): Promise<CheckResult> {
  const t0 = performance.now();
  const url = new URL('/', target.baseUrl).toString();
  let status: CheckResult['status'] = 'errored';
  let message: string;
  try {
    const timeout = AbortSignal.timeout(Math.max(1_000, Math.min(10_000, cfg.timeout)));
    const res = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, ...(dispatcher ? { dispatcher } : {}) });
    status = res.status < 500 ? 'passed' : 'failed';
    message = `GET / → ${res.status}`;
  } catch (err) {
    message = `GET /: ${errorMessage(err)}`;
  }
  return {
    id: 'post-rollback.health',
    stage: 'post-rollback',
    title: 'Health after rollback',
    severity: 'critical',
    status,
    message,
    durationMs: Math.round(performance.now() - t0),
    attempts: 1,
    evidence: [],
  };
}
