import type { CloudWatchClient, DescribeAlarmsCommandOutput, MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { errorMessage } from '../core/errors.ts';
import { SourceError, type Alarm, type AlarmSelector, type MetricQuery, type MetricSource, type QueryOptions, type Sample, type Series } from './types.ts';
import { sleep } from '../platform/sleep.ts';

// CloudWatch: GetMetricData (metric math / Metrics Insights, paged with
// NextToken) and DescribeAlarms (by names or prefix, paged). Throttling is
// retried with exponential backoff and jitter; anything else is a SourceError.

export interface CloudWatchOptions {
  name?: string;
  region?: string;
  /** Default namespace for metrics that name none (e.g. `MyApp/API`). */
  namespace?: string;
  client?: CloudWatchClient;
  /** Retries on throttling (default 5) and the first backoff (default 200 ms, doubling, ±50% jitter). */
  maxRetries?: number;
  baseDelayMs?: number;
  /** How far back an instant query looks for the latest point (default 10 min). */
  instantLookbackMs?: number;
}

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'ThrottledException', 'RequestLimitExceeded', 'TooManyRequestsException', 'LimitExceededException']);

export function isThrottling(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
  return THROTTLING.has(e?.name ?? '') || e?.$metadata?.httpStatusCode === 429 || e?.$retryable?.throttling === true;
}


export class CloudWatchSource implements MetricSource {
  readonly kind = 'cloudwatch' as const;
  readonly name: string;
  readonly endpoint: string;
  private client: CloudWatchClient | undefined;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;

  constructor(private readonly opts: CloudWatchOptions = {}) {
    this.name = opts.name ?? 'cloudwatch';
    this.endpoint = `cloudwatch:${opts.region ?? 'default-region'}`;
    this.client = opts.client;
    this.maxRetries = opts.maxRetries ?? 5;
    this.baseDelayMs = opts.baseDelayMs ?? 200;
  }

  /**
   * The SDK loads on the first call: a run whose metrics stage is planned but
   * never reached (a failed readiness) does not pay for it.
   */
  private async sdk(): Promise<{ client: CloudWatchClient; sdk: typeof import('@aws-sdk/client-cloudwatch') }> {
    const sdk = await import('@aws-sdk/client-cloudwatch');
    this.client ??= new sdk.CloudWatchClient(this.opts.region ? { region: this.opts.region } : {});
    return { client: this.client, sdk };
  }

  /** Send with backoff on throttling; every other failure is a SourceError. */
  private async send<T>(what: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (signal?.aborted) throw new SourceError(this.name, `${what}: aborted`, { cause: err });
        if (isThrottling(err) && attempt < this.maxRetries) {
          const delay = this.baseDelayMs * 2 ** attempt * (0.5 + Math.random());
          await sleep(delay, signal);
          continue;
        }
        const suffix = isThrottling(err) ? ` (still throttled after ${attempt + 1} attempts)` : '';
        throw new SourceError(this.name, `${what} failed: ${errorMessage(err)}${suffix}`, { cause: err });
      }
    }
  }

  private queries(query: MetricQuery, periodSec: number): MetricDataQuery[] {
    const metrics: MetricDataQuery[] = (query.metrics ?? []).map((m) => {
      const namespace = m.namespace ?? this.opts.namespace;
      if (!namespace) throw new SourceError(this.name, `metric ${m.id} names no namespace and the source has none`);
      return {
        Id: m.id,
        ReturnData: false,
        MetricStat: {
          Metric: { Namespace: namespace, MetricName: m.metricName, Dimensions: Object.entries(m.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value })) },
          Period: m.periodSec ?? periodSec,
          Stat: m.stat,
        },
      };
    });
    return [...metrics, { Id: 'pdv_result', Expression: query.expr, Period: periodSec, ReturnData: true, Label: query.expr }];
  }

  /** GetMetricData over [start, end], every page merged by query id, points ascending. */
  async fetch(query: MetricQuery, start: number, end: number, periodSec: number, signal?: AbortSignal): Promise<MetricDataResult[]> {
    const byId = new Map<string, MetricDataResult & { Timestamps: Date[]; Values: number[] }>();
    let token: string | undefined;
    const seen = new Set<string>();
    do {
      const input = {
        MetricDataQueries: this.queries(query, periodSec),
        StartTime: new Date(start),
        EndTime: new Date(end),
        ScanBy: 'TimestampAscending' as const,
        ...(token ? { NextToken: token } : {}),
      };
      const { client, sdk } = await this.sdk();
      const out = await this.send('GetMetricData', () => client.send(new sdk.GetMetricDataCommand(input), { abortSignal: signal }), signal);
      for (const r of out.MetricDataResults ?? []) {
        if (r.StatusCode === 'InternalError' || r.StatusCode === 'Forbidden') {
          const msg = (r.Messages ?? []).map((m) => `${m.Code ?? ''} ${m.Value ?? ''}`.trim()).join('; ');
          throw new SourceError(this.name, `GetMetricData ${r.Id ?? ''}: ${r.StatusCode}${msg ? ` (${msg})` : ''}`);
        }
        const id = r.Id ?? 'pdv_result';
        const acc = byId.get(id) ?? { ...r, Timestamps: [], Values: [] };
        acc.Timestamps.push(...(r.Timestamps ?? []));
        acc.Values.push(...(r.Values ?? []));
        acc.StatusCode = r.StatusCode;
        byId.set(id, acc);
      }
      token = out.NextToken;
      if (token && seen.has(token)) throw new SourceError(this.name, 'GetMetricData returned the same NextToken twice');
      if (token) seen.add(token);
    } while (token);
    return [...byId.values()];
  }

  async instant(query: MetricQuery, opts: QueryOptions & { at?: number } = {}): Promise<Sample[]> {
    const end = opts.at ?? Date.now();
    const periodSec = query.periodSec ?? 60;
    const start = end - Math.max(this.opts.instantLookbackMs ?? 600_000, periodSec * 3000);
    const results = await this.fetch(query, start, end, periodSec, opts.signal);
    const out: Sample[] = [];
    for (const r of results) {
      const n = Math.min(r.Timestamps?.length ?? 0, r.Values?.length ?? 0);
      if (n === 0) continue;
      // Latest point: points are ascending, but sort anyway in case pages interleave.
      let best = 0;
      for (let i = 1; i < n; i++) if (r.Timestamps![i]!.getTime() > r.Timestamps![best]!.getTime()) best = i;
      out.push({ labels: { label: r.Label ?? r.Id ?? '' }, value: r.Values![best]!, at: r.Timestamps![best]!.getTime() });
    }
    return out;
  }

  async range(query: MetricQuery, opts: QueryOptions & { start: number; end: number; stepMs: number }): Promise<Series[]> {
    const periodSec = query.periodSec ?? cloudWatchPeriod(opts.stepMs);
    const results = await this.fetch(query, opts.start, opts.end, periodSec, opts.signal);
    return results.map((r) => {
      const points: Array<[number, number]> = (r.Timestamps ?? []).map((t, i) => [t.getTime(), r.Values?.[i] ?? Number.NaN]);
      points.sort((a, b) => a[0] - b[0]);
      return { labels: { label: r.Label ?? r.Id ?? '' }, points };
    });
  }

  /**
   * One real call: the stage's own query over the instant look-back window
   * (GetMetricData), or DescribeAlarms for one record when the source has no
   * query to run. Passes only on an answer.
   */
  async readable(opts: QueryOptions & { query?: MetricQuery } = {}): Promise<string> {
    if (opts.query) {
      const end = Date.now();
      const periodSec = opts.query.periodSec ?? 60;
      const start = end - Math.max(this.opts.instantLookbackMs ?? 600_000, periodSec * 3000);
      const results = await this.fetch(opts.query, start, end, periodSec, opts.signal);
      const points = results.reduce((a, r) => a + (r.Values?.length ?? 0), 0);
      return `GetMetricData answered (${results.length} result(s), ${points} point(s) in the last ${Math.round((end - start) / 60_000)} min)`;
    }
    const input = { AlarmTypes: ['MetricAlarm' as const, 'CompositeAlarm' as const], MaxRecords: 1 };
    const { client, sdk } = await this.sdk();
    const out = await this.send('DescribeAlarms', () => client.send(new sdk.DescribeAlarmsCommand(input), { abortSignal: opts.signal }), opts.signal);
    return `DescribeAlarms answered (${(out.MetricAlarms?.length ?? 0) + (out.CompositeAlarms?.length ?? 0)} alarm(s) in the first page)`;
  }

  /** Metric and composite alarms by exact names (100 per call) and by prefix, every page. */
  async alarms(selector: AlarmSelector, opts: QueryOptions = {}): Promise<Alarm[]> {
    const requests: Array<{ AlarmNames?: string[]; AlarmNamePrefix?: string }> = [];
    const names = [...(selector.names ?? [])];
    for (let i = 0; i < names.length; i += 100) requests.push({ AlarmNames: names.slice(i, i + 100) });
    for (const p of selector.prefixes ?? []) requests.push({ AlarmNamePrefix: p });
    const found = new Map<string, Alarm>();
    for (const req of requests) {
      let token: string | undefined;
      do {
        const input = { ...req, AlarmTypes: ['MetricAlarm' as const, 'CompositeAlarm' as const], MaxRecords: 100, ...(token ? { NextToken: token } : {}) };
        const { client, sdk } = await this.sdk();
        const out: DescribeAlarmsCommandOutput = await this.send('DescribeAlarms', () => client.send(new sdk.DescribeAlarmsCommand(input), { abortSignal: opts.signal }), opts.signal);
        for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
          if (!a.AlarmName) continue;
          const raw = a.StateValue ?? 'INSUFFICIENT_DATA';
          found.set(a.AlarmName, {
            name: a.AlarmName,
            state: raw === 'ALARM' ? 'alarm' : raw === 'OK' ? 'ok' : 'insufficient',
            rawState: raw,
            ...(a.StateReason ? { reason: a.StateReason } : {}),
            ...(a.StateUpdatedTimestamp ? { since: a.StateUpdatedTimestamp.toISOString() } : {}),
          });
        }
        token = out.NextToken;
      } while (token);
    }
    return [...found.values()];
  }
}

/** CloudWatch accepts periods of 1, 5, 10, 30 s or a multiple of 60 s. */
export function cloudWatchPeriod(stepMs: number): number {
  const s = Math.max(1, Math.round(stepMs / 1000));
  if (s < 60) return [1, 5, 10, 30].find((p) => p >= s) ?? 60;
  return Math.round(s / 60) * 60;
}
