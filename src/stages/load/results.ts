import type { CheckResult, Evidence } from '../../core/types.ts';
import { evaluateAll, evaluateThreshold, mergedHistogram, type ThresholdResult } from '../../load/evaluate.ts';
import { distribution, summarize, type LatencySummary } from '../../load/histogram.ts';
import type { AbortInfo } from '../../load/plan.ts';
import type { Recorder } from '../../load/recorder.ts';
import { slugK } from '../../load/k6-import.ts';
import { aggLabel, compare, type ParsedThreshold } from '../../load/thresholds.ts';
import type { LoadConfig } from './config.ts';
import { describeGenerator, generatorFault, generatorHealth, isLatency, type GeneratorHealth } from './health.ts';

// Pure: measurements in, checks and the report's `extras.load` out. Used by
// a live run and by `pdv merge` (on the sum of all segments' histograms).

export interface LoadSummary {
  scenario: string;
  file: string;
  segment?: { index: number; total: number };
  segments?: number;
  workers: number;
  durationMs: number;
  planned: number;
  sent: number;
  completed: number;
  dropped: number;
  throughput: number;
  failed: number;
  errorRate: number;
  latency: { corrected: LatencySummary; uncorrected: LatencySummary };
  requests: Array<{ scenario: string; name: string; method: string; count: number; failed: number; dropped: number; corrected: LatencySummary; uncorrected: LatencySummary }>;
  statusCodes: Record<string, number>;
  /** One point per window (by intended start): corrected latency, in ms. */
  series: Array<{ t: number; count: number; failed: number; p50: number; p95: number; p99: number }>;
  histogram: Array<{ leMs: number; count: number }>;
  sendLag: { p50: number; p99: number; max: number };
  /** The generator's own health during the run (absent in summaries written before it was measured). */
  generator?: GeneratorHealth;
  /** Epoch ms at which the schedule started (every segment's, when merged). */
  startedAt?: number[];
  valid: boolean;
  invalidReason?: string;
  abort?: AbortInfo;
  thresholds: Array<{ key: string; expr: string; observed: number | null; limit: number; ok: boolean | null; unit: string }>;
  capacity?: unknown;
  baseline?: unknown;
}

export interface Measured {
  recorder: Recorder;
  elapsedMs: number;
  workers: number;
  abort?: AbortInfo;
  thresholds: ParsedThreshold[];
  scenario: string;
  file: string;
  segment?: { index: number; total: number };
  segments?: number;
  /** Epoch ms of the schedule's start, per input (one for a run, one per segment when merged). */
  startedAt?: number[];
  /** False for imported results: no pdv generator ran, so there is no generator health to judge by. */
  generatorMeasured?: boolean;
}

export const slug = slugK;

export function thresholdCheckId(t: Pick<ParsedThreshold, 'key' | 'expr'>): string {
  return `load.threshold.${slug(t.key)}.${slug(t.expr)}`;
}

export function summarizeLoad(m: Measured, cfg: Pick<LoadConfig, 'maxSendLag'> & Partial<Pick<LoadConfig, 'generatorShare'>>): LoadSummary {
  const rec = m.recorder;
  const cells = [...rec.cells.values()];
  const completed = cells.reduce((a, c) => a + c.count, 0);
  const failed = cells.filter((c) => !c.expected).reduce((a, c) => a + c.count, 0);
  const dropped = [...rec.dropped.values()].reduce((a, b) => a + b, 0);
  const statusCodes: Record<string, number> = {};
  for (const c of cells) for (const [k, v] of Object.entries(c.statuses)) statusCodes[k] = (statusCodes[k] ?? 0) + v;
  const byName = new Map<string, typeof cells>();
  for (const c of cells) byName.set(`${c.scenario}\u0000${c.name}`, [...(byName.get(`${c.scenario}\u0000${c.name}`) ?? []), c]);
  const requests = [...byName.values()].map((cs) => {
    const first = cs[0] as (typeof cells)[number];
    return {
      scenario: first.scenario,
      name: first.name,
      method: first.method,
      count: cs.reduce((a, c) => a + c.count, 0),
      failed: cs.filter((c) => !c.expected).reduce((a, c) => a + c.count, 0),
      dropped: rec.dropped.get(`${first.scenario}\u0000${first.name}`) ?? 0,
      corrected: summarize(mergedHistogram(cs, 'corrected')),
      uncorrected: summarize(mergedHistogram(cs, 'uncorrected')),
    };
  });
  const corrected = mergedHistogram(cells, 'corrected');
  const lag = summarize(rec.sendLag);
  const lagLimit = cfg.maxSendLag;
  let invalidReason: string | undefined;
  if (rec.planned === 0) invalidReason = 'no request was scheduled';
  else if (lag.p99 > lagLimit) invalidReason = `the engine could not keep the schedule: send lag p99 ${lag.p99.toFixed(1)} ms > ${lagLimit} ms (corrected latencies would blame the target for the load generator)`;
  const thresholds = evaluateAll(m.thresholds, rec, m.elapsedMs);
  const generator = generatorHealth(rec, m.thresholds, cfg.generatorShare ?? 0.1, m.generatorMeasured ?? true);
  return {
    scenario: m.scenario,
    file: m.file,
    ...(m.segment ? { segment: m.segment } : {}),
    ...(m.segments ? { segments: m.segments } : {}),
    workers: m.workers,
    durationMs: Math.round(m.elapsedMs),
    planned: rec.planned,
    sent: rec.sent,
    completed,
    dropped,
    throughput: round(completed / (m.elapsedMs / 1000), 2),
    failed,
    errorRate: completed ? round(failed / completed, 5) : 0,
    latency: { corrected: summarize(corrected), uncorrected: summarize(mergedHistogram(cells, 'uncorrected')) },
    requests,
    statusCodes,
    series: [...rec.windows.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([i, w]) => {
        const s = summarize(w.hist);
        return { t: round((i * rec.windowMs) / 1000, 3), count: w.count, failed: w.failed, p50: s.p50, p95: s.p95, p99: s.p99 };
      }),
    histogram: distribution(corrected),
    sendLag: { p50: lag.p50, p99: lag.p99, max: lag.max },
    generator,
    ...(m.startedAt ? { startedAt: m.startedAt } : {}),
    valid: invalidReason === undefined,
    ...(invalidReason ? { invalidReason } : {}),
    ...(m.abort ? { abort: m.abort } : {}),
    thresholds: thresholds.map((r) => ({ key: r.threshold.key, expr: r.threshold.expr, observed: r.observed, limit: r.threshold.limit, ok: r.ok, unit: r.unit })),
  };
}

function round(n: number, d: number): number {
  const f = 10 ** d;
  return Math.round(n * f) / f;
}

export function loadChecks(m: Measured, summary: LoadSummary, cfg: Pick<LoadConfig, 'severity' | 'onFail'>, durationMs: number): CheckResult[] {
  const checks: CheckResult[] = [];
  const base = { stage: 'load', attempts: 1, durationMs: Math.round(durationMs) };
  const evidence: Evidence[] = [
    { kind: 'metric', label: 'latency (ms), corrected and uncorrected', data: summary.latency },
    { kind: 'json', label: 'throughput and errors', data: { planned: summary.planned, sent: summary.sent, completed: summary.completed, dropped: summary.dropped, throughput: summary.throughput, statusCodes: summary.statusCodes } },
  ];
  const results = evaluateAll(m.thresholds, m.recorder, m.elapsedMs);
  const judged = results.map((r) => thresholdCheck(r, m, summary, cfg, base, evidence));
  // The generator is the cause of a hold only where its lateness left a latency bound unjudged.
  const unjudged = judged.filter((c) => c.status === 'errored' && c.message?.includes('not judged: the generator')).map((c) => c.limit as number);
  checks.push(engineCheck(summary, base, unjudged.length ? Math.min(...unjudged) : undefined));
  if (m.abort?.kind === 'error-rate') {
    checks.push({ ...base, id: 'load.error-rate-abort', title: 'Target error rate stayed under the abort level', severity: 'major', status: 'failed', message: m.abort.reason, evidence });
  }
  checks.push(...judged);
  return checks;
}

/**
 * A latency bound judged on a late generator. Corrected latency counts from each request's
 * intended start, so the generator's lateness only adds to it: under the bound, it passes. Over
 * it, only what the generator cannot have added is evidence: the latency from the request's
 * actual send, less the generator's own event-loop delay (a late read of the answer). When that
 * still breaks the bound the target is slow; otherwise nothing is known.
 */
function lateJudgement(r: ThresholdResult, m: Measured, g: GeneratorHealth, why: string, label: string): { status: CheckResult['status']; message: string } {
  const t = r.threshold;
  if (r.ok) return { status: 'passed', message: `${label}, limit ${t.expr} (${r.samples} samples), although ${why.replace(': no evidence about the target', '')}: its lateness only adds to corrected latency` };
  const upper = t.op === '<' || t.op === '<=';
  if (upper && r.observed !== null) {
    const own = t.metric === 'http_req_duration' ? evaluateThreshold({ ...t, metric: 'http_req_duration_uncorrected' }, m.recorder, m.elapsedMs) : r;
    if (own.observed !== null) {
      const targetOnly = own.observed - g.eventLoopDelay.p99;
      if (!compare(targetOnly, t.op, t.limit)) {
        return { status: 'failed', message: `${label} breaks ${t.expr} (${r.samples} samples); the generator was late, but measured from each request's actual send, less its own loop delay, the target still took ${fmt(targetOnly)} ${r.unit}` };
      }
    }
  }
  return { status: 'errored', message: `${label} (limit ${t.expr}) — not judged: ${why}` };
}

function thresholdCheck(
  r: ThresholdResult,
  m: Measured,
  summary: LoadSummary,
  cfg: Pick<LoadConfig, 'severity' | 'onFail'>,
  base: { stage: string; attempts: number; durationMs: number },
  evidence: Evidence[],
): CheckResult {
  const t = r.threshold;
  const label = `${aggLabel(t.agg)}=${r.observed === null ? '–' : fmt(r.observed)} ${r.unit}`;
  const stoppedHere = m.abort?.kind === 'threshold' && m.abort.threshold === `${t.key} ${t.expr}`;
  let status: CheckResult['status'];
  let message: string;
  if (r.ok === null) {
    status = 'errored';
    message = `no samples for ${t.key}: a threshold over nothing is no evidence`;
  } else if (!summary.valid) {
    status = 'errored';
    message = `${label} (limit ${t.expr}) — not judged: ${summary.invalidReason}`;
  } else if (isLatency(t) && summary.generator && generatorFault(summary.generator, t.limit)) {
    ({ status, message } = lateJudgement(r, m, summary.generator, generatorFault(summary.generator, t.limit) as string, label));
  } else if (r.ok) {
    status = 'passed';
    message = `${label}, limit ${t.expr} (${r.samples} samples)`;
  } else {
    status = 'failed';
    message = `${label} breaks ${t.expr} (${r.samples} samples)`;
  }
  // Whichever rule judged it (a late generator's too), a failed threshold that stopped the load says so.
  if (stoppedHere && status === 'failed') message += `; abortOnFail stopped the load early at ${(m.abort!.atMs / 1000).toFixed(1)} s`;
  if (m.abort && !stoppedHere && status !== 'errored') message += ` — load stopped early: ${m.abort.reason}`;
  const severity = t.severity ?? cfg.severity;
  const onFail = t.onFail ?? cfg.onFail;
  return {
    ...base,
    id: thresholdCheckId(t),
    title: `${t.key} ${t.expr}`,
    severity,
    ...(onFail ? { onFail } : {}),
    status,
    message,
    observed: r.observed,
    limit: t.limit,
    unit: r.unit,
    tags: ['load', 'threshold', ...(t.abortOnFail ? ['abortOnFail'] : [])],
    evidence,
  };
}

/**
 * `load.engine`: the generator's own health. Errored when the run is invalid, or when the generator
 * was too late for the tightest latency bound judged: the verdict's hold then names the generator.
 */
function engineCheck(summary: LoadSummary, base: { stage: string; attempts: number; durationMs: number }, unjudgedBoundMs: number | undefined): CheckResult {
  const g = summary.generator;
  const threads = `${summary.workers} thread${summary.workers > 1 ? 's' : ''}`;
  const late = unjudgedBoundMs !== undefined ? generatorFault(g, unjudgedBoundMs) : undefined;
  const health = g?.measured ? describeGenerator(g) : `send lag p99 ${summary.sendLag.p99} ms`;
  let status: CheckResult['status'] = 'passed';
  let message = `${health} over ${summary.sent} requests (${threads})`;
  if (!summary.valid) {
    status = 'errored';
    message = `${summary.invalidReason ?? 'invalid run'} (${health})`;
  } else if (late) {
    status = 'errored';
    message = `load generator too late for the latency thresholds: ${late} (${health})`;
  }
  return {
    ...base,
    id: 'load.engine',
    title: 'Load generator kept the schedule',
    severity: 'major',
    onFail: 'hold',
    status,
    message,
    observed: g?.measured ? g.latenessMs : summary.sendLag.p99,
    ...(g?.tightestBoundMs !== undefined && g.measured ? { limit: Math.round(g.share * g.tightestBoundMs * 1000) / 1000 } : {}),
    unit: 'ms',
    evidence: [{ kind: 'metric', label: 'generator health (ms; busy as a share of the run)', data: g ?? { sendLag: summary.sendLag } }],
  };
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n < 1 ? n.toFixed(4) : n.toFixed(1);
}
