import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { errorMessage } from '../core/errors.ts';
import type { Redactor } from '../core/redact.ts';
import type { ActionRecord, VerdictReport } from '../core/types.ts';
import type { CloudwatchPublishConfig } from './config.ts';

// The verdict as a CloudWatch metric, so dashboards and alarms see it:
// Verdict (0 stand, 1 rollback, 2 hold — the exit code), one 0/1 series per
// verdict (alarm on VerdictRollback ≥ 1), run and stage durations, check counts.

const VERDICT_CODE = { stand: 0, rollback: 1, hold: 2 } as const;

export function namespaceFor(cfg: CloudwatchPublishConfig, environment: string, project: string): string {
  return cfg.namespace.replaceAll('{environment}', environment).replaceAll('{project}', project);
}

export function verdictMetrics(report: VerdictReport, cfg: CloudwatchPublishConfig, actions: ActionRecord[]): MetricDatum[] {
  const Timestamp = new Date(report.finishedAt);
  const dims = [{ Name: 'Environment', Value: report.target.environment }, ...Object.entries(cfg.dimensions).map(([Name, Value]) => ({ Name, Value }))];
  const datum = (MetricName: string, Value: number, Unit: MetricDatum['Unit'], extra: MetricDatum['Dimensions'] = []): MetricDatum => ({
    MetricName,
    Value,
    Unit,
    Timestamp,
    Dimensions: [...dims, ...extra],
  });
  const out: MetricDatum[] = [
    datum('Verdict', VERDICT_CODE[report.verdict], 'None'),
    datum('VerdictStand', report.verdict === 'stand' ? 1 : 0, 'Count'),
    datum('VerdictRollback', report.verdict === 'rollback' ? 1 : 0, 'Count'),
    datum('VerdictHold', report.verdict === 'hold' ? 1 : 0, 'Count'),
    datum('RunDuration', report.durationMs, 'Milliseconds'),
    datum('ChecksFailed', report.counts.failed ?? 0, 'Count'),
    datum('ChecksErrored', report.counts.errored ?? 0, 'Count'),
    datum('ActionsFailed', actions.filter((a) => a.status === 'failed').length, 'Count'),
  ];
  for (const s of report.stages) out.push(datum('StageDuration', s.durationMs, 'Milliseconds', [{ Name: 'Stage', Value: s.name }]));
  return out;
}

export interface PublishInput {
  report: VerdictReport;
  cfg: CloudwatchPublishConfig;
  project: string;
  region?: string;
  actions: ActionRecord[];
  redactor: Redactor;
  dryRun: boolean;
}

export async function publishCloudWatch(input: PublishInput): Promise<ActionRecord> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const Namespace = namespaceFor(input.cfg, input.report.target.environment, input.project);
  const MetricData = verdictMetrics(input.report, input.cfg, input.actions);
  const base = { kind: 'publish', name: 'cloudwatch', startedAt };
  const what = `${MetricData.length} data points to ${Namespace}`;
  if (input.dryRun) return { ...base, status: 'dry-run', durationMs: 0, attempts: [], message: `Would put ${what}` };
  if (!input.region) {
    return { ...base, status: 'failed', durationMs: 0, attempts: [], message: 'CloudWatch: no region (set publish.cloudwatch.region or AWS_REGION)' };
  }
  // The SDK retries throttling and 5xx itself (standard mode, 3 attempts).
  const client = new CloudWatchClient({ region: input.region, maxAttempts: 3 });
  let ok = true;
  let message: string;
  try {
    const chunks: MetricDatum[][] = [];
    for (let i = 0; i < MetricData.length; i += 1000) chunks.push(MetricData.slice(i, i + 1000));
    for (const chunk of chunks) await client.send(new PutMetricDataCommand({ Namespace, MetricData: chunk }));
    message = `CloudWatch: put ${what}`;
  } catch (err) {
    ok = false;
    message = `CloudWatch PutMetricData failed: ${errorMessage(err)}`;
  } finally {
    client.destroy();
  }
  const durationMs = Math.round(performance.now() - t0);
  return {
    ...base,
    status: ok ? 'succeeded' : 'failed',
    durationMs,
    attempts: [{ at: startedAt, ok, message: input.redactor.text(message), durationMs }],
    message: input.redactor.text(message),
    details: { namespace: Namespace, metrics: [...new Set(MetricData.map((d) => d.MetricName))] },
  };
}
