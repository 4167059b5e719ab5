// One interface over every metrics backend (Prometheus, CloudWatch, a
// target's own /metrics). A source that cannot be read throws
// SourceError; callers turn that into an `errored` check (→ hold).

import { EvidenceError } from '../core/errors.ts';

export type Labels = Record<string, string>;

/** One value of an instant query (a Prometheus vector element, a CloudWatch result's latest point). */
export interface Sample {
  labels: Labels;
  value: number;
  /** Epoch ms of the value. */
  at: number;
}

/** One series of a range query; points are [epoch ms, value], ascending. */
export interface Series {
  labels: Labels;
  points: Array<[number, number]>;
}

/** pdv's view of an alarm / alert rule, whatever the backend calls it. */
export type AlarmState = 'ok' | 'alarm' | 'insufficient' | 'pending';

export interface Alarm {
  name: string;
  state: AlarmState;
  /** The backend's own word (ALARM, INSUFFICIENT_DATA, firing, inactive…). */
  rawState: string;
  reason?: string;
  since?: string;
  labels?: Labels;
}

export interface AlarmSelector {
  names?: readonly string[];
  prefixes?: readonly string[];
}

/** A CloudWatch metric the expression can name by id (MetricStat, ReturnData false). */
export interface CloudWatchMetric {
  id: string;
  namespace?: string;
  metricName: string;
  dimensions?: Record<string, string>;
  stat: string;
  periodSec?: number;
}

export interface MetricQuery {
  /** PromQL, a CloudWatch metric-math or Metrics Insights expression, or a selector for a scrape source. */
  expr: string;
  /** CloudWatch only: metrics the expression refers to. */
  metrics?: readonly CloudWatchMetric[];
  /** CloudWatch only: the period of the expression (seconds, default 60). */
  periodSec?: number;
}

export interface QueryOptions {
  signal?: AbortSignal;
}

export interface MetricSource {
  readonly name: string;
  readonly kind: 'prometheus' | 'cloudwatch' | 'scrape';
  /** Where it reads from, for evidence (redact before recording). */
  readonly endpoint: string;
  instant(query: MetricQuery, opts?: QueryOptions & { at?: number }): Promise<Sample[]>;
  range(query: MetricQuery, opts: QueryOptions & { start: number; end: number; stepMs: number }): Promise<Series[]>;
  /** Alarms matching the selector; a source without alarms throws SourceError. */
  alarms(selector: AlarmSelector, opts?: QueryOptions): Promise<Alarm[]>;
  /**
   * Optional: one real request that proves the source answers (e.g. the
   * stage's own query over a short window); resolves with what it saw,
   * throws SourceError otherwise.
   */
  readable?(opts?: QueryOptions & { query?: MetricQuery }): Promise<string>;
}

export class SourceError extends EvidenceError {
  constructor(
    readonly source: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${message}`, options);
  }
}

export function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}
