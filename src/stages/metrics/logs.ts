import { isAbsolute, resolve } from 'node:path';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { errorMessage } from '../../core/errors.ts';
import type { CheckResult } from '../../core/types.ts';
import { CloudWatchLogsSource } from '../../sources/logs/cloudwatch.ts';
import { FileLogSource } from '../../sources/logs/file.ts';
import { newSignatures, type Signature } from '../../sources/logs/signatures.ts';
import type { LogSource, LogWindow } from '../../sources/logs/types.ts';
import { judgeWindows } from './comparison.ts';
import type { LogCheckConfig } from './logs-config.ts';

// Two checks per log source: the error rate after the deploy against the
// window before it (the comparisons' Mann–Whitney judgement, per step), and
// error signatures that appear after the deploy and never before. A source
// that cannot answer, or a window with fewer lines than it must hold, is
// errored: no evidence, so hold.

export interface LogSourceEnv {
  rootDir: string;
  awsRegion?: string;
  env: NodeJS.ProcessEnv;
  /** Tests inject a client here. */
  cloudWatchLogsClient?: CloudWatchLogsClient;
}

export function buildLogSource(cfg: LogCheckConfig, where: LogSourceEnv): LogSource {
  const s = cfg.source;
  if (s.type === 'file') {
    const { type: _type, paths, ...rest } = s;
    return new FileLogSource({ name: cfg.name, paths: paths.map((p) => (isAbsolute(p) ? p : resolve(where.rootDir, p))), ...rest });
  }
  const region = s.region ?? where.awsRegion ?? where.env.AWS_REGION;
  return new CloudWatchLogsSource({
    name: cfg.name,
    ...(region ? { region } : {}),
    ...(where.cloudWatchLogsClient ? { client: where.cloudWatchLogsClient } : {}),
    logGroups: s.logGroups,
    logGroupPrefixes: s.logGroupPrefixes,
    ...(s.filter ? { filter: s.filter } : {}),
    errorFilter: s.errorFilter,
    queryTimeoutMs: s.queryTimeout,
    pollIntervalMs: s.pollInterval,
    maxRetries: s.maxThrottleRetries,
  });
}

export interface LogChecksOutcome {
  checks: CheckResult[];
  /** For extras.logs (the report's Logs section). */
  extra: {
    name: string;
    source: string;
    deployTime: string;
    before?: { lines: number; errors: number; rate: Array<[number, number]> };
    after?: { lines: number; errors: number; rate: Array<[number, number]> };
    newSignatures?: Array<Pick<Signature, 'fingerprint' | 'signature' | 'count' | 'example'>>;
    error?: string;
  };
}

const rateSeries = (w: LogWindow): Array<[number, number]> => w.bins.filter((b) => b.total > 0).map((b) => [b.t, b.errors / b.total]);
const pct = (errors: number, lines: number): string => (lines ? `${((100 * errors) / lines).toFixed(2)}%` : 'n/a');

export async function runLogChecks(cfg: LogCheckConfig, source: LogSource, opts: { deployTime: number; now: number; signal?: AbortSignal }): Promise<LogChecksOutcome> {
  const started = Date.now();
  const deployIso = new Date(opts.deployTime).toISOString();
  const stage = 'metrics';
  const idBase = `${stage}.logs.${cfg.name}`;
  const common = { stage, durationMs: 0, attempts: 1, tags: ['@metrics', '@logs'] };
  const rateCheck = { ...common, id: `${idBase}.error-rate`, title: `Error rate in ${cfg.name} logs, before vs after the deploy`, severity: cfg.errorRate.severity, ...(cfg.errorRate.onFail ? { onFail: cfg.errorRate.onFail } : {}) };
  const sigCheck = { ...common, id: `${idBase}.new-signatures`, title: `No new error signatures in ${cfg.name} logs after the deploy`, severity: cfg.newSignatures.severity, ...(cfg.newSignatures.onFail ? { onFail: cfg.newSignatures.onFail } : {}) };
  const wanted = [...(cfg.errorRate.enabled ? [rateCheck] : []), ...(cfg.newSignatures.enabled ? [sigCheck] : [])];
  const sourceEvidence = { kind: 'text' as const, label: 'source', text: `${source.name}: ${source.describe}` };
  const errored = (message: string): LogChecksOutcome => ({
    checks: wanted.map((c) => ({ ...c, status: 'errored', message: `${cfg.name}: ${message}`, durationMs: Date.now() - started, evidence: [sourceEvidence] })),
    extra: { name: cfg.name, source: source.describe, deployTime: deployIso, error: message },
  });

  const afterEnd = Math.min(opts.now, opts.deployTime + cfg.window);
  if (afterEnd <= opts.deployTime) return errored('no time has passed since the deploy: there is no after-deploy window to read');
  let before: LogWindow;
  let after: LogWindow;
  try {
    const q = { stepMs: cfg.step, maxMessages: cfg.newSignatures.maxMessages, ...(opts.signal ? { signal: opts.signal } : {}) };
    [before, after] = await Promise.all([source.window({ ...q, start: opts.deployTime - cfg.window, end: opts.deployTime }), source.window({ ...q, start: opts.deployTime, end: afterEnd })]);
  } catch (err) {
    return errored(`could not read the logs: ${errorMessage(err)}`);
  }
  const thin = [['before', before] as const, ['after', after] as const].filter(([, w]) => w.totalLines < cfg.minLines);
  if (thin.length) {
    return errored(`${thin.map(([n, w]) => `${w.totalLines} line(s) ${n} the deploy`).join(', ')}; each window must hold at least ${cfg.minLines} (is the source reading the right logs?)`);
  }

  const durationMs = Date.now() - started;
  const checks: CheckResult[] = [];
  const beforeRate = rateSeries(before);
  const afterRate = rateSeries(after);
  if (cfg.errorRate.enabled) {
    const judged = judgeWindows({ direction: 'increase', minEffect: cfg.errorRate.minEffect, confidence: cfg.errorRate.confidence, minSamples: cfg.errorRate.minSamples }, beforeRate, afterRate, deployIso);
    checks.push({
      ...rateCheck,
      status: judged.status,
      message: `${cfg.name}: ${pct(before.errorLines, before.totalLines)} errors before (${before.errorLines}/${before.totalLines} lines), ${pct(after.errorLines, after.totalLines)} after (${after.errorLines}/${after.totalLines}); ${judged.message}`,
      durationMs,
      evidence: [sourceEvidence, { kind: 'metric', label: 'error rate per step, before and after', data: { deployTime: deployIso, before: beforeRate, after: afterRate } }],
      observed: after.totalLines ? after.errorLines / after.totalLines : 0,
      limit: before.totalLines ? before.errorLines / before.totalLines : 0,
      unit: 'ratio',
    });
  }
  const sigs = newSignatures(before.messages, after.messages, cfg.newSignatures.threshold);
  const top = [...sigs.failing, ...sigs.belowThreshold].slice(0, cfg.newSignatures.top).map(({ fingerprint, signature, count, example }) => ({ fingerprint, signature, count, example }));
  if (cfg.newSignatures.enabled) {
    const caveat = before.truncated ? ` (only the newest ${before.messages.length} of ${before.errorLines} error lines before the deploy were read)` : '';
    const lead = sigs.failing[0];
    checks.push({
      ...sigCheck,
      status: sigs.failing.length ? 'failed' : 'passed',
      message: lead
        ? `${cfg.name}: ${sigs.failing.length} new error signature(s) at or above ${cfg.newSignatures.threshold} occurrences after the deploy, most frequent "${lead.signature}" ×${lead.count}${caveat}`
        : `${cfg.name}: no new error signature reached ${cfg.newSignatures.threshold} occurrences (${sigs.belowThreshold.length} new below it; ${sigs.before} signature(s) before, ${sigs.after} after)${caveat}`,
      durationMs,
      evidence: [sourceEvidence, { kind: 'json', label: 'new error signatures (top, with one example each)', data: top }],
      observed: sigs.failing.length,
      limit: 0,
    });
  }
  return {
    checks,
    extra: {
      name: cfg.name,
      source: source.describe,
      deployTime: deployIso,
      before: { lines: before.totalLines, errors: before.errorLines, rate: beforeRate },
      after: { lines: after.totalLines, errors: after.errorLines, rate: afterRate },
      newSignatures: top,
    },
  };
}
