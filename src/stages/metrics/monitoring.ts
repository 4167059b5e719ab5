import { z } from 'zod';
import { duration, onFail, severity } from '../../core/schema.ts';
import { errorMessage } from '../../core/errors.ts';
import type { CheckResult } from '../../core/types.ts';
import type { AlarmFacts, MonitoringSource } from '../../sources/monitoring.ts';

// "Monitoring and alerts configured": the alarms, log groups and dashboards
// the config names exist, alarms can notify, and none has lacked data for
// longer than a bound — a deploy that silently dropped its monitoring fails.

export const monitoringConfigSchema = z
  .object({
    /** Default: AWS_REGION from the runbook. */
    region: z.string().optional(),
    alarms: z.array(z.string().min(1)).default([]),
    logGroups: z.array(z.string().min(1)).default([]),
    dashboards: z.array(z.string().min(1)).default([]),
    /** Alarms must have actions enabled and at least one action. */
    requireActions: z.boolean().default(true),
    /** Longest an alarm may sit in INSUFFICIENT_DATA. */
    maxInsufficientData: duration.default(3_600_000),
    severity: severity.default('major'),
    onFail: onFail.optional(),
  })
  .strict()
  .refine((m) => m.alarms.length + m.logGroups.length + m.dashboards.length > 0, 'name alarms, logGroups or dashboards');

export type MonitoringConfig = z.infer<typeof monitoringConfigSchema>;

/** What is wrong with one alarm, or undefined (pure). */
export function alarmProblem(a: AlarmFacts | undefined, name: string, cfg: Pick<MonitoringConfig, 'requireActions' | 'maxInsufficientData'>, now: number): string | undefined {
  if (!a) return `${name} does not exist`;
  if (cfg.requireActions && !a.actionsEnabled) return `${name} has its actions disabled`;
  if (cfg.requireActions && a.actions === 0) return `${name} has no actions: it can notify no one`;
  if (a.state === 'INSUFFICIENT_DATA') {
    const since = a.since ?? 0;
    if (now - since > cfg.maxInsufficientData) return `${name} has been INSUFFICIENT_DATA ${a.since ? `since ${new Date(a.since).toISOString()}` : 'for an unknown time'} (limit ${Math.round(cfg.maxInsufficientData / 60_000)} min)`;
  }
  return undefined;
}

export async function runMonitoringChecks(cfg: MonitoringConfig, source: MonitoringSource, opts: { now: number; signal?: AbortSignal }): Promise<CheckResult[]> {
  const stage = 'metrics';
  const base = { stage, severity: cfg.severity, ...(cfg.onFail ? { onFail: cfg.onFail } : {}), attempts: 1, tags: ['@metrics', '@monitoring'] };
  const out: CheckResult[] = [];
  const one = async (slug: string, title: string, names: readonly string[], judge: () => Promise<{ problems: string[]; data: unknown }>): Promise<void> => {
    if (!names.length) return;
    const started = Date.now();
    const head = { ...base, id: `${stage}.monitoring.${slug}`, title };
    try {
      const { problems, data } = await judge();
      out.push({
        ...head,
        status: problems.length ? 'failed' : 'passed',
        message: problems.length ? problems.join('; ') : `all ${names.length} present${slug === 'alarms' && cfg.requireActions ? ' with actions enabled' : ''}`,
        durationMs: Date.now() - started,
        evidence: [{ kind: 'json', label: slug, data }],
        observed: problems.length,
        limit: 0,
      });
    } catch (err) {
      out.push({ ...head, status: 'errored', message: `cannot read ${slug}: ${errorMessage(err)}`, durationMs: Date.now() - started, evidence: [] });
    }
  };
  await one('alarms', 'Named alarms exist, can notify, and have data', cfg.alarms, async () => {
    const facts = await source.alarms(cfg.alarms, opts.signal);
    const problems = cfg.alarms.map((n) => alarmProblem(facts.get(n), n, cfg, opts.now)).filter((p): p is string => p !== undefined);
    return { problems, data: cfg.alarms.map((n) => facts.get(n) ?? { name: n, missing: true }) };
  });
  await one('log-groups', 'Named log groups exist', cfg.logGroups, async () => {
    const found = await source.logGroups(cfg.logGroups, opts.signal);
    return { problems: cfg.logGroups.filter((n) => !found.has(n)).map((n) => `log group ${n} does not exist`), data: cfg.logGroups.map((n) => ({ name: n, exists: found.has(n) })) };
  });
  await one('dashboards', 'Named dashboards exist', cfg.dashboards, async () => {
    const found = await source.dashboards(cfg.dashboards, opts.signal);
    return { problems: cfg.dashboards.filter((n) => !found.has(n)).map((n) => `dashboard ${n} does not exist`), data: cfg.dashboards.map((n) => ({ name: n, exists: found.has(n) })) };
  });
  return out;
}
