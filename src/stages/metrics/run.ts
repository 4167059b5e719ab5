import { join } from 'node:path';
import { writeJsonAtomic } from '../../platform/fs.ts';
import type { StageContext } from '../stage.ts';
import type { CheckResult } from '../../core/types.ts';
import { MonitoringSource } from '../../sources/monitoring.ts';
import { checkAlarms } from './alarms.ts';
import { defaultSleep, runRule } from './analysis.ts';
import { runComparison } from './comparison.ts';
import { metricsConfigSchema, type MetricsConfig } from './config.ts';
import { buildLogSource, runLogChecks } from './logs.ts';
import { runMonitoringChecks } from './monitoring.ts';
import { buildTraceSource, runTraceChecks } from './traces.ts';
import { sourceHealth } from './health.ts';
import { NOTHING_TO_EVALUATE, nothingToEvaluate } from './plan.ts';
import { buildSources, pickSource, toQuery } from '../../sources/build.ts';
import type { MetricSource } from '../../sources/types.ts';

// The metrics stage: source health, alarms, Argo-like analysis rules and
// before/after comparisons, all at once. It emits facts only; the policy
// decides. Samples go to <runDir>/metrics/samples.json and extras.metrics.

export function deployTimeOf(cfg: Pick<MetricsConfig, 'deployTime'>, env: NodeJS.ProcessEnv, fallback: number): number {
  const raw = cfg.deployTime ?? env.PDV_DEPLOY_TIME;
  const t = raw ? Date.parse(raw) : Number.NaN;
  return Number.isFinite(t) ? t : fallback;
}

/** With `waitForWindow`, sleep until the after-deploy window `until` has passed (saying so), so it is whole when read. */
async function afterWindow(ctx: StageContext<MetricsConfig>, wait: boolean, until: number, what: string): Promise<void> {
  if (!wait || until <= Date.now()) return;
  ctx.progress(`${what}: waiting ${Math.round((until - Date.now()) / 1000)} s for the after-deploy window`);
  await defaultSleep(until - Date.now(), ctx.signal).catch(() => undefined);
}

/** One analysis rule: its measurements, judged, as check `metrics.rule.<name>`; returns the report's record. */
async function evaluateRule(ctx: StageContext<MetricsConfig>, rule: MetricsConfig['rules'][number], source: MetricSource) {
  const stage = 'metrics';
  const started = Date.now();
  ctx.progress(`rule ${rule.name}: ${rule.count} measurement(s) every ${rule.interval} ms`);
  const out = await runRule(rule, source, { signal: ctx.signal });
  const last = [...out.measurements].reverse().find((m) => m.values.length)?.values[0];
  ctx.check({
    id: `${stage}.rule.${rule.name}`,
    stage,
    title: rule.title ?? `Analysis ${rule.name}: ${rule.query}`,
    severity: rule.severity,
    ...(rule.onFail ? { onFail: rule.onFail } : {}),
    status: out.status,
    message: `${rule.name}: ${out.message}`,
    durationMs: Date.now() - started,
    attempts: out.measurements.length,
    evidence: [
      { kind: 'text', label: 'query', text: `${source.name}: ${rule.query}` },
      { kind: 'json', label: 'measurements', data: out.measurements },
    ],
    ...(rule.dryRun ? { dryRun: true } : {}),
    ...(last !== undefined ? { observed: last } : {}),
    limit: rule.failureCondition ? `not (${rule.failureCondition})` : (rule.successCondition ?? null),
  });
  return { id: `${stage}.rule.${rule.name}`, name: rule.name, source: source.name, query: rule.query, successCondition: rule.successCondition, failureCondition: rule.failureCondition, dryRun: rule.dryRun, status: out.status, measurements: out.measurements };
}

/** One before/after comparison around the deploy time, as check `metrics.compare.<name>`; returns the report's record. */
async function evaluateComparison(ctx: StageContext<MetricsConfig>, cmp: MetricsConfig['comparisons'][number], source: MetricSource, deployTime: number, wait: boolean) {
  const stage = 'metrics';
  const started = Date.now();
  await afterWindow(ctx, wait, deployTime + cmp.window, `comparison ${cmp.name}`);
  const out = await runComparison(cmp, source, { deployTime, now: Date.now() });
  ctx.check({
    id: `${stage}.compare.${cmp.name}`,
    stage,
    title: cmp.title ?? `Before/after ${cmp.name}: ${cmp.query}`,
    severity: cmp.severity,
    ...(cmp.onFail ? { onFail: cmp.onFail } : {}),
    status: out.status,
    message: `${cmp.name}: ${out.message}`,
    durationMs: Date.now() - started,
    attempts: 1,
    evidence: [
      { kind: 'text', label: 'query', text: `${source.name}: ${cmp.query}` },
      { kind: 'metric', label: 'before and after', data: { deployTime: out.deployTime, before: out.before, after: out.after } },
    ],
    ...(out.medianAfter !== undefined ? { observed: out.medianAfter } : {}),
    ...(out.medianBefore !== undefined ? { limit: out.medianBefore } : {}),
  });
  return { id: `${stage}.compare.${cmp.name}`, name: cmp.name, source: source.name, query: cmp.query, direction: cmp.direction, ...out };
}

export async function runMetrics(ctx: StageContext<MetricsConfig>): Promise<void> {
  const cfg: MetricsConfig = ctx.config ?? metricsConfigSchema.parse({});
  if (nothingToEvaluate(cfg)) {
    // A readable source alone says nothing about the deploy: no counted evidence (the plan refuses this case first).
    ctx.check({ id: 'metrics.nothing-to-evaluate', stage: 'metrics', title: 'Metrics rules, alarms or comparisons', severity: 'major', status: 'skipped', message: NOTHING_TO_EVALUATE, durationMs: 0, attempts: 0, evidence: [] });
    return;
  }
  const startedAt = Date.now();
  const sources = buildSources(cfg, { baseUrl: ctx.target.baseUrl, env: ctx.settings.env, ...(ctx.settings.runtime.awsRegion ? { awsRegion: ctx.settings.runtime.awsRegion } : {}) });
  const deployTime = deployTimeOf(cfg, ctx.settings.env, startedAt);
  const stage = 'metrics';
  const emitCheck = (c: CheckResult): void => ctx.check(c);

  // Logs alone need no metric source: the fallback /metrics reader is then not asked (nor judged).
  const metricsAsked = Object.keys(cfg.sources).length > 0 || cfg.rules.length + cfg.alarms.length + cfg.comparisons.length > 0;
  const health = Promise.all(
    [...sources.values()].filter(() => metricsAsked).map(async (s) => {
      const conf = cfg.sources[s.name];
      // A query the stage will ask this source anyway: its answer proves the source reads.
      const first = [...cfg.rules, ...cfg.comparisons].find((q) => (q.source ?? sources.keys().next().value) === s.name);
      emitCheck(await sourceHealth(stage, s, conf?.type === 'prometheus' ? conf.upQuery : undefined, ctx.signal, first ? toQuery(first) : undefined));
    }),
  );

  const alarmResults = Promise.all(
    cfg.alarms.map(async (a, i) => {
      const r = await checkAlarms(stage, a, pickSource(sources, a.source, `stages.metrics.alarms.${i}.source`), ctx.signal);
      r.checks.forEach(emitCheck);
      return r.alarms;
    }),
  );

  const ruleResults = Promise.all(cfg.rules.map((rule, i) => evaluateRule(ctx, rule, pickSource(sources, rule.source, `stages.metrics.rules.${i}.source`))));

  const comparisonResults = Promise.all(
    cfg.comparisons.map((cmp, i) => evaluateComparison(ctx, cmp, pickSource(sources, cmp.source, `stages.metrics.comparisons.${i}.source`), deployTime, cfg.waitForWindow)),
  );

  const logResults = Promise.all(
    cfg.logs.map(async (lc) => {
      await afterWindow(ctx, cfg.waitForWindow, deployTime + lc.window, `logs ${lc.name}`);
      const source = buildLogSource(lc, { rootDir: ctx.settings.rootDir, env: ctx.settings.env, ...(ctx.settings.runtime.awsRegion ? { awsRegion: ctx.settings.runtime.awsRegion } : {}) });
      const out = await runLogChecks(lc, source, { deployTime, now: Date.now(), signal: ctx.signal });
      out.checks.forEach(emitCheck);
      return out.extra;
    }),
  );

  const traceResults = Promise.all(
    cfg.traces.map(async (tc) => {
      await afterWindow(ctx, cfg.waitForWindow, deployTime + tc.window, `traces ${tc.name}`);
      const xray = buildTraceSource(tc, { env: ctx.settings.env, ...(ctx.settings.runtime.awsRegion ? { awsRegion: ctx.settings.runtime.awsRegion } : {}) });
      const out = await runTraceChecks(tc, xray, { deployTime, now: Date.now(), signal: ctx.signal });
      out.checks.forEach(emitCheck);
      return out.extra;
    }),
  );

  const monitoring = (async () => {
    const m = cfg.monitoring;
    if (!m) return;
    const region = m.region ?? ctx.settings.runtime.awsRegion ?? ctx.settings.env.AWS_REGION;
    (await runMonitoringChecks(m, new MonitoringSource({ name: 'monitoring', ...(region ? { region } : {}) }), { now: Date.now(), signal: ctx.signal })).forEach(emitCheck);
  })();

  const [, alarms, rules, comparisons, logs, traces] = await Promise.all([health, alarmResults, ruleResults, comparisonResults, logResults, traceResults, monitoring]);
  const extra = {
    deployTime: new Date(deployTime).toISOString(),
    sources: [...sources.values()].filter(() => metricsAsked).map((s) => ({ name: s.name, kind: s.kind, endpoint: ctx.redactor.url(s.endpoint) })),
    alarms: alarms.flat(),
    rules,
    comparisons,
    ...(logs.length ? { logs } : {}),
    ...(traces.length ? { traces } : {}),
  };
  const rel = join('metrics', 'samples.json');
  await writeJsonAtomic(join(ctx.runDir, rel), ctx.redactor.deep(extra));
  ctx.emit({ type: 'artifact', artifact: { stage, name: 'samples', path: rel, kind: 'samples', description: 'rule measurements, comparison windows, alarm states' } });
  ctx.emit({ type: 'extra', key: 'metrics', value: ctx.redactor.deep(extra) });
}

