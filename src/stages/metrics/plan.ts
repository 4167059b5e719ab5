import type { Environ } from '../../target/settings.ts';
import { UsageError } from '../../core/errors.ts';
import type { PlanContext } from '../stage.ts';
import { parseSelector } from '../../sources/exposition.ts';
import { CONDITION_SCOPE } from './analysis.ts';
import { metricsConfigSchema, type MetricsConfig } from './config.ts';
import { CONDITION_FUNCTIONS, unknownNames } from './expression.ts';
import { buildSources, pickSource } from '../../sources/build.ts';

// Before any request: the stage has something to evaluate, every condition
// names only what a measurement provides, every source named exists and can
// answer what is asked of it. Each problem is exit 3 naming the field.

/** Nothing to evaluate: the stage would assert nothing (a readable source is no evidence about the deploy). */
export function nothingToEvaluate(cfg: Pick<MetricsConfig, 'rules' | 'alarms' | 'comparisons'> & Partial<Pick<MetricsConfig, 'logs' | 'traces' | 'monitoring'>>): boolean {
  return cfg.rules.length === 0 && cfg.alarms.length === 0 && cfg.comparisons.length === 0 && (cfg.logs?.length ?? 0) === 0 && (cfg.traces?.length ?? 0) === 0 && !cfg.monitoring;
}

export const NOTHING_TO_EVALUATE = 'the metrics stage has nothing to evaluate: add stages.metrics.rules, alarms, comparisons, logs, traces or monitoring (or set stages.metrics.enabled: false)';

export async function planMetrics(ctx: PlanContext<MetricsConfig>, env: Environ = ctx.settings.env): Promise<void> {
  const cfg: MetricsConfig = ctx.config ?? metricsConfigSchema.parse({});
  const file = ctx.settings.file ?? 'config';
  const where = (field: string) => `${file}: stages.metrics${field ? `.${field}` : ''}`;
  if (nothingToEvaluate(cfg)) throw new UsageError(NOTHING_TO_EVALUATE, where(''));

  cfg.rules.forEach((rule, i) => {
    for (const key of ['successCondition', 'failureCondition'] as const) {
      const src = rule[key];
      if (src === undefined) continue;
      const unknown = unknownNames(src, CONDITION_SCOPE);
      if (unknown.length) {
        throw new UsageError(
          `rule "${rule.name}": ${key} \`${src}\` names ${unknown.map((n) => `"${n}"`).join(', ')}, which a measurement does not have (names: ${CONDITION_SCOPE.join(', ')}; functions: ${CONDITION_FUNCTIONS.join(', ')})`,
          where(`rules.${i}.${key}`),
        );
      }
    }
  });

  const logNames = new Set<string>();
  cfg.logs.forEach((lc, i) => {
    if (logNames.has(lc.name)) throw new UsageError(`log check name "${lc.name}" is used twice`, where(`logs.${i}.name`));
    logNames.add(lc.name);
    if (lc.source.type === 'cloudwatch-logs' && !(lc.source.region ?? ctx.settings.runtime.awsRegion ?? env.AWS_REGION)) {
      throw new UsageError('CloudWatch Logs needs a region: set region here or AWS_REGION', where(`logs.${i}.source.region`));
    }
  });

  const traceNames = new Set<string>();
  cfg.traces.forEach((tc, i) => {
    if (traceNames.has(tc.name)) throw new UsageError(`trace check name "${tc.name}" is used twice`, where(`traces.${i}.name`));
    traceNames.add(tc.name);
    if (!(tc.source.region ?? ctx.settings.runtime.awsRegion ?? env.AWS_REGION)) throw new UsageError('X-Ray needs a region: set region here or AWS_REGION', where(`traces.${i}.source.region`));
  });

  if (cfg.monitoring && !(cfg.monitoring.region ?? ctx.settings.runtime.awsRegion ?? env.AWS_REGION)) {
    throw new UsageError('the monitoring checks read CloudWatch: set region here or AWS_REGION', where('monitoring.region'));
  }

  let sources;
  try {
    sources = buildSources(cfg, { baseUrl: ctx.target.baseUrl, env, ...(ctx.settings.runtime.awsRegion ? { awsRegion: ctx.settings.runtime.awsRegion } : {}) });
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(err.message, file);
    throw err;
  }
  const pick = (name: string | undefined, field: string) => {
    try {
      return pickSource(sources, name, field);
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(err.message, file);
      throw err;
    }
  };
  cfg.rules.forEach((rule, i) => {
    const s = pick(rule.source, `stages.metrics.rules.${i}.source`);
    if (s.kind === 'scrape' && !parseSelector(rule.query)) {
      throw new UsageError(`rule "${rule.name}": source ${s.name} reads a /metrics page and answers only selectors like name{label="v"} or sum(name{…})`, where(`rules.${i}.query`));
    }
  });
  cfg.alarms.forEach((a, i) => {
    const s = pick(a.source, `stages.metrics.alarms.${i}.source`);
    if (s.kind === 'scrape') throw new UsageError(`alarms need a Prometheus or CloudWatch source; ${s.name} reads a /metrics page`, where(`alarms.${i}.source`));
  });
  cfg.comparisons.forEach((c, i) => {
    const s = pick(c.source, `stages.metrics.comparisons.${i}.source`);
    if (s.kind === 'scrape') throw new UsageError(`comparison "${c.name}" needs history (a Prometheus or CloudWatch source); ${s.name} reads a /metrics page`, where(`comparisons.${i}.source`));
  });
}
