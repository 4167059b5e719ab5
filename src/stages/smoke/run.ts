import type { SmokeConfig } from './config.ts';
import type { EnvironmentConfig } from '../../target/environment.ts';
import type { StageContext } from '../stage.ts';
import type { ResponseExpect } from '../../http/expect.ts';
import type { CheckResult, Target } from '../../core/types.ts';
import { dependencyChecks } from '../../deps/checks.ts';
import { authenticatorFor, declaredCheck, loginChecks, trustOf, urlOn, versionCheck } from './probes.ts';
import { waitForReadiness, type Readiness } from './readiness.ts';

// The smoke checks against one target: the readiness wait, then sign-in per
// role, the live version and the declared HTTP checks, then the user's
// Playwright smoke specs (when `stages.smoke.testDir` names them). Used by the smoke stage and, against other URLs, by
// the DR stage (restored app) and the rollback action (post-rollback check).

export interface RunSmokeOptions {
  /** Check id prefix; its first segment is the check's stage (default `smoke`). */
  idPrefix?: string;
  /** Probe stages.smoke.dependencies directly (default: only for the smoke stage itself, not DR's restored app or a rollback check). */
  dependencies?: boolean;
  /** Emit checks, observations and artifacts through ctx as they arrive (default false). */
  emit?: boolean;
  grep?: string;
  shard?: { index: number; total: number };
}

export async function runSmoke(ctx: StageContext<SmokeConfig>, target: Target, opts: RunSmokeOptions = {}): Promise<CheckResult[]> {
  const idPrefix = opts.idPrefix ?? 'smoke';
  const stage = idPrefix.split('.')[0] ?? 'smoke';
  const emit = opts.emit ?? false;
  const cfg = ctx.config;
  const results: CheckResult[] = [];
  const record = (check: CheckResult, emitIt: boolean): void => {
    const safe = ctx.redactor.deep(check);
    results.push(safe);
    if (emit && emitIt) ctx.check(safe);
  };

  const health = ctx.settings.environment.health;
  const healthUrl = urlOn(target, health.on ?? (health.path ? 'api' : 'web'), health.path ?? '/');
  const started = Date.now();
  const ready = await waitForReadiness({
    url: healthUrl,
    timeoutMs: cfg.readiness.timeout,
    intervalMs: cfg.readiness.interval,
    refusedGraceMs: cfg.readiness.refusedGrace,
    attemptTimeoutMs: cfg.readiness.attemptTimeout,
    health: { ready: readyOf(health), warming: health.warming, ...(health.down ? { down: health.down } : {}) },
    signal: ctx.signal,
    dispatcher: trustOf(ctx),
  });
  const readiness = readinessCheck(stage, `${idPrefix}.readiness`, ready, Date.now() - started, ctx.redactor.url(healthUrl));
  // Shards and --grep selections must not repeat (or invent) a passing readiness check; a failure is always news.
  const selective = !!opts.grep || (opts.shard !== undefined && opts.shard.index !== 1);
  record(readiness, !ready.ready || !selective);
  if (!ready.ready) return results;
  if (emit) ctx.progress(`target ready after ${ready.waitedMs} ms`);

  // The declarative checks run once, not per Playwright shard or --grep selection.
  if (!selective) {
    if ((opts.dependencies ?? idPrefix === 'smoke') && cfg.dependencies.length) {
      for (const check of await dependencyChecks(ctx, cfg.dependencies, idPrefix, stage)) record(check, true);
    }
    const auth = authenticatorFor(ctx, target);
    for (const check of await loginChecks(ctx, auth, idPrefix, stage)) record(check, true);
    const version = await versionCheck(ctx, target, idPrefix, stage);
    if (version) {
      if (version.observed !== undefined && emit) ctx.emit({ type: 'observation', key: 'observedVersion', value: ctx.redactor.text(version.observed) });
      record(version.check, true);
    }
    for (const c of cfg.checks) {
      if (ctx.signal.aborted) break;
      record(await declaredCheck(ctx, target, auth, c, idPrefix, stage), true);
    }
  }

  if (!cfg.testDir) return results;
  const { runPlaywrightChecks } = await import('../../playwright/run-checks.ts');
  const pw = await runPlaywrightChecks(ctx, {
    stage,
    idPrefix,
    folder: idPrefix.split('.').join('/'),
    projects: ['smoke'],
    target,
    testDirs: { smoke: cfg.testDir },
    ...(cfg.flagsMirror ? { flagsMirror: cfg.flagsMirror } : {}),
    ...(opts.grep ? { grep: opts.grep } : {}),
    ...(opts.shard ? { shard: opts.shard } : {}),
    retries: cfg.retries,
    emit,
  });
  results.push(...pw);
  return results;
}

/**
 * What "ready" means. Configured, it is what the config says (2xx by default).
 * With no health endpoint named, pdv probes `/` of a site it knows nothing
 * about: a 404 or 401 there says the server answers and nothing more, so only
 * a server error (or no answer) is evidence that the deploy is not up.
 */
export function readyOf(health: EnvironmentConfig['health']): ResponseExpect {
  if (health.path || health.ready.status !== undefined) return health.ready;
  return { ...health.ready, status: ['2xx', '3xx', '4xx'] };
}

export function readinessCheck(stage: string, id: string, r: Readiness, durationMs: number, url: string): CheckResult {
  const base = { id, stage, title: 'target is reachable and ready', severity: 'critical' as const, durationMs, attempts: r.polls, tags: ['@smoke', '@critical'] };
  const answer = r.status !== undefined ? [{ kind: 'http' as const, label: `GET ${url}`, data: { status: r.status, body: r.body } }] : [];
  if (r.ready) {
    const waited = r.waitedMs > 0 && r.polls > 1 ? ` after ${r.polls} polls (${r.waitedMs} ms)` : '';
    return { ...base, status: 'passed', message: `${r.note ?? 'health answered'}${waited}`, evidence: answer };
  }
  // A host name that does not resolve is this machine's resolver or the config, never the deploy: errored → hold.
  const harness = r.cause === 'aborted' || r.cause === 'dns';
  return { ...base, status: harness ? 'errored' : 'failed', message: harness && r.cause === 'dns' ? `${r.message}: the harness could not resolve the host (errored, not evidence against the deploy)` : r.message, evidence: answer };
}
