import type { XRayClient } from '@aws-sdk/client-xray';
import { errorMessage } from '../../core/errors.ts';
import type { CheckResult, CheckStatus } from '../../core/types.ts';
import { histogramPercentile, XRaySource, type LatencyPoint, type ServiceStats } from '../../sources/xray.ts';
import { phi } from '../../stats/index.ts';
import { judgeWindows, type ComparisonOutcome } from './comparison.ts';
import type { TraceCheckConfig } from './traces-config.ts';

// X-Ray before vs after the deploy, three checks per trace source: fault,
// error and throttle rates per service (one-sided two-proportion z-test plus
// an effect floor), a response-time percentile per period (the comparisons'
// Mann–Whitney judgement), and services that vanished from the graph.

export type RateKind = 'faults' | 'errors' | 'throttles';
const KINDS: RateKind[] = ['faults', 'errors', 'throttles'];

export interface RateJudgement {
  service: string;
  kind: RateKind;
  before: number;
  after: number;
  pValue: number;
  failed: boolean;
}

/** Did the share k/n rise significantly and by more than the floor? (pure) */
export function judgeRate(k1: number, n1: number, k2: number, n2: number, cfg: Pick<TraceCheckConfig['rates'], 'confidence' | 'minEffect'>): { pValue: number; failed: boolean } {
  const p1 = n1 ? k1 / n1 : 0;
  const p2 = n2 ? k2 / n2 : 0;
  const pooled = n1 + n2 ? (k1 + k2) / (n1 + n2) : 0;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / Math.max(n1, 1) + 1 / Math.max(n2, 1)));
  const pValue = se > 0 ? 1 - phi((p2 - p1) / se) : p2 > p1 ? 0 : 1;
  const floor = Math.max(cfg.minEffect.absolute, cfg.minEffect.relative * p1);
  return { pValue, failed: pValue < 1 - cfg.confidence && p2 - p1 > floor };
}

export function judgeRates(before: ServiceStats[], after: ServiceStats[], judged: string[], cfg: TraceCheckConfig['rates']): RateJudgement[] {
  const out: RateJudgement[] = [];
  for (const key of judged) {
    const b = before.find((s) => s.key === key);
    const a = after.find((s) => s.key === key);
    if (!b || !a || a.requests === 0) continue; // a vanished service is the services check's finding
    for (const kind of KINDS) {
      const r = judgeRate(b[kind], b.requests, a[kind], a.requests, cfg);
      out.push({ service: key, kind, before: b[kind] / b.requests, after: a[kind] / a.requests, ...r });
    }
  }
  return out;
}

export interface XRayLike {
  serviceGraph(start: number, end: number, signal?: AbortSignal): Promise<ServiceStats[]>;
  latencySeries(service: string, start: number, end: number, periodSec: number, signal?: AbortSignal): Promise<LatencyPoint[]>;
  readonly name: string;
  readonly endpoint: string;
}

export function buildTraceSource(cfg: TraceCheckConfig, where: { awsRegion?: string; env: NodeJS.ProcessEnv; xrayClient?: XRayClient }): XRaySource {
  const region = cfg.source.region ?? where.awsRegion ?? where.env.AWS_REGION;
  return new XRaySource({ name: cfg.name, ...(region ? { region } : {}), ...(where.xrayClient ? { client: where.xrayClient } : {}) });
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

interface LatencyJudgement {
  status: CheckStatus;
  message: string;
  latency: Array<{ service: string; outcome: ComparisonOutcome }>;
}

/** Each judged service's percentile series before and after the deploy, compared; errored when they cannot be read. */
async function judgeLatency(cfg: TraceCheckConfig, xray: XRayLike, wanted: readonly ServiceStats[], w: { start: number; deployTime: number; end: number }, signal?: AbortSignal): Promise<LatencyJudgement> {
  const periodSec = cfg.period / 1000;
  const series = (pts: LatencyPoint[]): Array<[number, number]> =>
    pts.flatMap((p) => {
      const v = histogramPercentile(p.histogram, cfg.latency.percentile);
      return v === undefined ? [] : [[p.t, v] as [number, number]];
    });
  const latency: LatencyJudgement['latency'] = [];
  try {
    for (const s of wanted) {
      const [b, a] = await Promise.all([xray.latencySeries(s.name, w.start, w.deployTime, periodSec, signal), xray.latencySeries(s.name, w.deployTime, w.end, periodSec, signal)]);
      latency.push({ service: s.key, outcome: judgeWindows({ direction: 'increase', minEffect: cfg.latency.minEffect, confidence: cfg.latency.confidence, minSamples: cfg.latency.minSamples }, series(b), series(a), new Date(w.deployTime).toISOString()) });
    }
  } catch (err) {
    return { status: 'errored', message: `${cfg.name}: could not read response times: ${errorMessage(err)}`, latency };
  }
  const bad = latency.filter((l) => l.outcome.status === 'failed');
  const thin = latency.filter((l) => l.outcome.status === 'errored');
  const status: CheckStatus = bad.length ? 'failed' : thin.length ? 'errored' : 'passed';
  const message = bad.length
    ? `${cfg.name}: p${cfg.latency.percentile} worse after the deploy for ${bad.map((l) => l.service).join(', ')}: ${bad[0]!.outcome.message}`
    : thin.length
      ? `${cfg.name}: ${thin[0]!.service}: ${thin[0]!.outcome.message}`
      : `${cfg.name}: no harmful p${cfg.latency.percentile} shift over ${latency.length} service(s)`;
  return { status, message, latency };
}

export async function runTraceChecks(cfg: TraceCheckConfig, xray: XRayLike, opts: { deployTime: number; now: number; signal?: AbortSignal }): Promise<{ checks: CheckResult[]; extra: Record<string, unknown> }> {
  const started = Date.now();
  const stage = 'metrics';
  const id = `${stage}.traces.${cfg.name}`;
  const base = { stage, attempts: 1, tags: ['@metrics', '@traces'] };
  const source = { kind: 'text' as const, label: 'source', text: `${xray.name}: ${xray.endpoint}` };
  const heads = [
    ...(cfg.rates.enabled ? [{ ...base, id: `${id}.rates`, title: `X-Ray fault, error and throttle rates per service (${cfg.name})`, severity: cfg.rates.severity, ...(cfg.rates.onFail ? { onFail: cfg.rates.onFail } : {}) }] : []),
    ...(cfg.latency.enabled ? [{ ...base, id: `${id}.latency`, title: `X-Ray p${cfg.latency.percentile} response time per service (${cfg.name})`, severity: cfg.latency.severity, ...(cfg.latency.onFail ? { onFail: cfg.latency.onFail } : {}) }] : []),
    { ...base, id: `${id}.services`, title: `No service disappeared from the X-Ray graph (${cfg.name})`, severity: cfg.disappeared.severity, ...(cfg.disappeared.onFail ? { onFail: cfg.disappeared.onFail } : {}) },
  ];
  const errored = (message: string) => ({
    checks: heads.map((h): CheckResult => ({ ...h, status: 'errored', message: `${cfg.name}: ${message}`, durationMs: Date.now() - started, evidence: [source] })),
    extra: { name: cfg.name, error: message },
  });
  const afterEnd = Math.min(opts.now, opts.deployTime + cfg.window);
  if (afterEnd <= opts.deployTime) return errored('no time has passed since the deploy: there is no after-deploy window to read');
  const bStart = opts.deployTime - cfg.window;

  let before: ServiceStats[];
  let after: ServiceStats[];
  try {
    [before, after] = await Promise.all([xray.serviceGraph(bStart, opts.deployTime, opts.signal), xray.serviceGraph(opts.deployTime, afterEnd, opts.signal)]);
  } catch (err) {
    return errored(`could not read the service graph: ${errorMessage(err)}`);
  }
  const totalBefore = before.reduce((n, s) => n + s.requests, 0);
  if (totalBefore < cfg.minRequests) return errored(`the graph before the deploy holds ${totalBefore} request(s), fewer than minRequests ${cfg.minRequests} (are traces being sent?)`);

  const wanted = cfg.services.length ? before.filter((s) => cfg.services.includes(s.name)) : before.filter((s) => s.requests >= cfg.minRequests);
  const unseen = cfg.services.filter((n) => !before.some((s) => s.name === n));
  const judged = wanted.map((s) => s.key);
  const checks: CheckResult[] = [];
  const durationMs = (): number => Date.now() - started;

  if (cfg.rates.enabled) {
    const rates = judgeRates(before, after, judged, cfg.rates);
    const worst = rates.filter((r) => r.failed).sort((a, b) => b.after - b.before - (a.after - a.before));
    const lead = worst[0];
    checks.push({
      ...heads.find((h) => h.id.endsWith('.rates'))!,
      status: worst.length ? 'failed' : 'passed',
      message: lead
        ? `${cfg.name}: ${worst.length} rate(s) rose after the deploy; worst ${lead.service} ${lead.kind} ${pct(lead.before)} → ${pct(lead.after)} (p=${lead.pValue.toPrecision(3)})`
        : `${cfg.name}: no fault, error or throttle rate rose significantly over ${judged.length} service(s)`,
      durationMs: durationMs(),
      evidence: [source, { kind: 'json', label: 'rates before and after, per service', data: rates }],
      observed: worst.length,
      limit: 0,
    });
  }

  let latency: LatencyJudgement['latency'] = [];
  if (cfg.latency.enabled) {
    const judged = await judgeLatency(cfg, xray, wanted, { start: bStart, deployTime: opts.deployTime, end: afterEnd }, opts.signal);
    latency = judged.latency;
    const { status, message } = judged;
    checks.push({
      ...heads.find((h) => h.id.endsWith('.latency'))!,
      status,
      message,
      durationMs: durationMs(),
      evidence: [source, { kind: 'metric', label: `p${cfg.latency.percentile} per period (seconds), before and after`, data: latency.map((l) => ({ service: l.service, before: l.outcome.before, after: l.outcome.after, status: l.outcome.status })) }],
    });
  }

  const gone = wanted.filter((s) => !after.some((a) => a.key === s.key && a.requests > 0)).map((s) => s.key);
  checks.push({
    ...heads.find((h) => h.id.endsWith('.services'))!,
    status: gone.length ? 'failed' : unseen.length ? 'errored' : 'passed',
    message: gone.length
      ? `${cfg.name}: ${gone.join(', ')} served requests before the deploy and none after it`
      : unseen.length
        ? `${cfg.name}: ${unseen.join(', ')} not in the graph before the deploy either: cannot tell whether it is up`
        : `${cfg.name}: all ${wanted.length} service(s) still in the graph`,
    durationMs: durationMs(),
    evidence: [source, { kind: 'json', label: 'services before and after', data: { before, after } }],
    observed: gone.length,
    limit: 0,
  });
  return { checks, extra: { name: cfg.name, deployTime: new Date(opts.deployTime).toISOString(), before, after, latency: latency.map((l) => ({ service: l.service, status: l.outcome.status, medianBefore: l.outcome.medianBefore, medianAfter: l.outcome.medianAfter })) } };
}
