import { z } from 'zod';
import { duration, onFail, severity, stageBase } from '../../core/schema.ts';
import { compileExpression } from './expression.ts';
import { logCheckConfigSchema } from './logs-config.ts';
import { sourceConfigSchema, type SourceConfig } from '../../sources/config.ts';
import { monitoringConfigSchema } from './monitoring.ts';
import { traceCheckConfigSchema } from './traces-config.ts';

// The metrics stage's section of the config (`stages.metrics`), and the soak's
// (`stages.metrics.soak`), which reuses its sources and alarms.

const slug = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lower-case letters, digits, . _ - (it becomes part of a check id)');

const condition = z.string().superRefine((src, ctx) => {
  try {
    compileExpression(src);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a valid condition: ${err instanceof Error ? err.message : String(err)}` });
  }
});


const cloudWatchMetric = z
  .object({
    id: z.string().regex(/^[a-z][a-zA-Z0-9_]*$/, 'CloudWatch ids start with a lower-case letter'),
    namespace: z.string().optional(),
    metricName: z.string().min(1),
    dimensions: z.record(z.string(), z.string()).optional(),
    stat: z.string().default('Average'),
    period: z.number().int().positive().optional(),
  })
  .strict();

const queryFields = {
  /** Name of an entry of `sources` (default: the first one). */
  source: z.string().optional(),
  /** PromQL, CloudWatch metric math / Metrics Insights, or a selector for a scrape source. */
  query: z.string().min(1),
  /** CloudWatch: metrics the expression names by id. */
  metrics: z.array(cloudWatchMetric).optional(),
  /** CloudWatch: period in seconds. */
  period: z.number().int().positive().optional(),
};

export const ruleConfigSchema = z
  .object({
    name: slug,
    title: z.string().optional(),
    ...queryFields,
    successCondition: condition.optional(),
    failureCondition: condition.optional(),
    interval: duration.default(5_000),
    count: z.number().int().min(1).default(1),
    failureLimit: z.number().int().min(0).default(0),
    inconclusiveLimit: z.number().int().min(0).default(0),
    consecutiveErrorLimit: z.number().int().min(0).default(4),
    dryRun: z.boolean().default(false),
    severity: severity.default('major'),
    onFail: onFail.optional(),
  })
  .strict()
  .refine((r) => r.successCondition !== undefined || r.failureCondition !== undefined, 'a rule needs successCondition or failureCondition');

export const alarmConfigSchema = z
  .object({
    source: z.string().optional(),
    names: z.array(z.string().min(1)).default([]),
    prefixes: z.array(z.string().min(1)).default([]),
    severity: severity.default('critical'),
    onFail: onFail.optional(),
  })
  .strict()
  .refine((a) => a.names.length + a.prefixes.length > 0, 'an alarm entry needs names or prefixes');

export const comparisonConfigSchema = z
  .object({
    name: slug,
    title: z.string().optional(),
    ...queryFields,
    /** Length of the window before the deploy and of the one after it. */
    window: duration.default(1_800_000),
    step: duration.default(30_000),
    /** Which change is bad. */
    direction: z.enum(['increase', 'decrease', 'either']).default('increase'),
    /** Effect-size floor: a significant shift smaller than both floors is not a failure. */
    minEffect: z.object({ absolute: z.number().nonnegative().default(0), relative: z.number().nonnegative().default(0.1) }).strict().prefault({}),
    confidence: z.number().gt(0).lt(1).default(0.98),
    minSamples: z.number().int().min(2).default(5),
    severity: severity.default('major'),
    onFail: onFail.optional(),
  })
  .strict();

const trendKind = z.enum(['memory', 'latency', 'errorRate', 'gauge']);

export const soakConfigSchema = z
  .object({
    duration: duration.default(48 * 3_600_000),
    interval: duration.default(300_000),
    /** Dropped from the start before judging (the process settles). */
    warmup: duration.default(600_000),
    /** Light HTTP probes, relative to the base URL (or absolute), e.g. your health endpoint; none by default. */
    probes: z.array(z.object({ name: slug, path: z.string().min(1), timeout: duration.default(10_000) }).strict()).default([]),
    /** Process figures from the target's /metrics where exposed. Empty string turns one off. */
    process: z
      .object({
        metricsPath: z.string().default('/metrics'),
        memory: z.string().default('process_resident_memory_bytes'),
        /** No default: a connection gauge's name belongs to the target ('' = not watched). */
        openConnections: z.string().default(''),
      })
      .strict()
      .prefault({}),
    /** Further metric queries sampled each tick (instant). */
    queries: z.array(z.object({ name: slug, ...queryFields, kind: trendKind.default('gauge'), maxGrowthPerHour: z.number().optional() }).strict()).default([]),
    /** Allowed growth per hour before a trend is a leak or drift. */
    maxGrowthPerHour: z
      .object({
        memory: z.number().default(50 * 1024 * 1024),
        latency: z.number().default(50),
        errorRate: z.number().default(0.01),
        openConnections: z.number().default(100),
      })
      .strict()
      .prefault({}),
    /** Early vs late windows (each this fraction of the post-warm-up ticks), Mann–Whitney U. */
    earlyLate: z
      .object({
        fraction: z.number().gt(0).max(0.5).default(0.25),
        confidence: z.number().gt(0).lt(1).default(0.98),
        minEffectRelative: z.number().nonnegative().default(0.25),
      })
      .strict()
      .prefault({}),
    /** Share of failed probes tolerated over the soak. */
    maxProbeErrorRate: z.number().min(0).max(1).default(0.02),
    /** Fewest post-warm-up ticks a trend needs; fewer → no evidence (hold). */
    minTicks: z.number().int().min(3).default(5),
    confidence: z.number().gt(0).lt(1).default(0.95),
  })
  .strict();

export const metricsConfigSchema = stageBase
  .extend({
    sources: z.record(slug, sourceConfigSchema).default({}),
    rules: z.array(ruleConfigSchema).default([]),
    alarms: z.array(alarmConfigSchema).default([]),
    comparisons: z.array(comparisonConfigSchema).default([]),
    /** Log sources and their checks: error rate before/after the deploy, new error signatures. */
    logs: z.array(logCheckConfigSchema).default([]),
    /** Trace sources (X-Ray) and their checks: rates and response times before/after, vanished services. */
    traces: z.array(traceCheckConfigSchema).default([]),
    /** Monitoring configured: named alarms, log groups and dashboards exist; alarms can notify and have data. */
    monitoring: monitoringConfigSchema.optional(),
    /** Wait (within the stage timeout) until the after-window has fully passed. */
    waitForWindow: z.boolean().default(true),
    /** ISO time of the deploy (default: PDV_DEPLOY_TIME, else the run's start). */
    deployTime: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date-time').optional(),
    soak: soakConfigSchema.prefault({}),
  })
  .strict();

export type MetricsConfig = z.infer<typeof metricsConfigSchema>;
export type RuleConfig = z.infer<typeof ruleConfigSchema>;
export type AlarmConfig = z.infer<typeof alarmConfigSchema>;
export type ComparisonConfig = z.infer<typeof comparisonConfigSchema>;
export type SoakConfig = z.infer<typeof soakConfigSchema>;
export type TrendKind = z.infer<typeof trendKind>;

export { sourceConfigSchema, type SourceConfig };
