import {
  GetServiceGraphCommand,
  GetTimeSeriesServiceStatisticsCommand,
  XRayClient,
  type HistogramEntry,
  type Service,
} from '@aws-sdk/client-xray';
import { sendWithBackoff } from './aws-retry.ts';

// X-Ray: the service graph (GetServiceGraph, paged) gives request, fault,
// error and throttle counts per service; GetTimeSeriesServiceStatistics
// (paged) gives response-time histograms per period. Throttling is retried
// with backoff; anything else is a SourceError (no evidence → hold).

export interface ServiceStats {
  /** "name (type)" when X-Ray gives a type, else the name. */
  key: string;
  name: string;
  type?: string;
  requests: number;
  faults: number;
  errors: number;
  throttles: number;
}

export interface LatencyPoint {
  t: number;
  /** Response-time histogram of the period: value in seconds, count. */
  histogram: Array<{ value: number; count: number }>;
}

export interface XRayOptions {
  name?: string;
  region?: string;
  client?: XRayClient;
  maxRetries?: number;
  baseDelayMs?: number;
}

export const serviceKey = (s: Pick<Service, 'Name' | 'Type'>): string => (s.Type ? `${s.Name ?? '?'} (${s.Type})` : (s.Name ?? '?'));

/** Counts from one service of the graph (pure). */
export function statsOf(s: Service): ServiceStats {
  const sum = s.SummaryStatistics ?? {};
  return {
    key: serviceKey(s),
    name: s.Name ?? '?',
    ...(s.Type ? { type: s.Type } : {}),
    requests: sum.TotalCount ?? 0,
    faults: sum.FaultStatistics?.TotalCount ?? 0,
    errors: sum.ErrorStatistics?.TotalCount ?? 0,
    throttles: sum.ErrorStatistics?.ThrottleCount ?? 0,
  };
}

/** The q-th percentile (0–100) of a histogram, in the histogram's unit; undefined when empty (pure). */
export function histogramPercentile(entries: ReadonlyArray<{ value: number; count: number }>, q: number): number | undefined {
  const sorted = entries.filter((e) => e.count > 0 && Number.isFinite(e.value)).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((n, e) => n + e.count, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil((q / 100) * total));
  let seen = 0;
  for (const e of sorted) {
    seen += e.count;
    if (seen >= rank) return e.value;
  }
  return sorted.at(-1)!.value;
}

const toHistogram = (h: HistogramEntry[] | undefined): Array<{ value: number; count: number }> => (h ?? []).map((e) => ({ value: e.Value ?? 0, count: e.Count ?? 0 }));

export class XRaySource {
  readonly kind = 'xray' as const;
  readonly name: string;
  readonly endpoint: string;
  private readonly client: XRayClient;

  constructor(private readonly opts: XRayOptions = {}) {
    this.name = opts.name ?? 'xray';
    this.endpoint = `xray:${opts.region ?? 'default-region'}`;
    this.client = opts.client ?? new XRayClient({ ...(opts.region ? { region: opts.region } : {}), maxAttempts: 1 });
  }

  private send<T>(what: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return sendWithBackoff(this.name, what, call, { maxRetries: this.opts.maxRetries ?? 6, baseDelayMs: this.opts.baseDelayMs ?? 300, ...(signal ? { signal } : {}) });
  }

  /** Every service of the graph over [start, end), pages joined; a service on several pages is summed. */
  async serviceGraph(start: number, end: number, signal?: AbortSignal): Promise<ServiceStats[]> {
    const byKey = new Map<string, ServiceStats>();
    let NextToken: string | undefined;
    do {
      const out = await this.send('GetServiceGraph', () => this.client.send(new GetServiceGraphCommand({ StartTime: new Date(start), EndTime: new Date(end), ...(NextToken ? { NextToken } : {}) }), signal ? { abortSignal: signal } : {}), signal);
      for (const svc of out.Services ?? []) {
        const s = statsOf(svc);
        const prev = byKey.get(s.key);
        byKey.set(s.key, prev ? { ...prev, requests: prev.requests + s.requests, faults: prev.faults + s.faults, errors: prev.errors + s.errors, throttles: prev.throttles + s.throttles } : s);
      }
      NextToken = out.NextToken;
    } while (NextToken);
    return [...byKey.values()];
  }

  /** Response-time histograms per period for one service (by name), pages joined. */
  async latencySeries(service: string, start: number, end: number, periodSec: number, signal?: AbortSignal): Promise<LatencyPoint[]> {
    const out: LatencyPoint[] = [];
    let NextToken: string | undefined;
    const selector = `service("${service.replace(/["\\]/g, '\\$&')}")`;
    do {
      const page = await this.send(
        'GetTimeSeriesServiceStatistics',
        () => this.client.send(new GetTimeSeriesServiceStatisticsCommand({ StartTime: new Date(start), EndTime: new Date(end), EntitySelectorExpression: selector, Period: periodSec, ...(NextToken ? { NextToken } : {}) }), signal ? { abortSignal: signal } : {}),
        signal,
      );
      for (const p of page.TimeSeriesServiceStatistics ?? []) {
        if (p.Timestamp) out.push({ t: p.Timestamp.getTime(), histogram: toHistogram(p.ResponseTimeHistogram) });
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return out.sort((a, b) => a.t - b.t);
  }
}
