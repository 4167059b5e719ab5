import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import { sleep } from '../../platform/sleep.ts';
import { sendWithBackoff } from '../aws-retry.ts';
import { SourceError } from '../types.ts';
import { DEFAULT_MESSAGE_FIELDS } from './file.ts';
import type { ErrorLine, LogBin, LogSource, LogWindow, LogWindowQuery } from './types.ts';

// CloudWatch Logs Insights: StartQuery over the named log groups and those
// found by prefix (DescribeLogGroups, paged), GetQueryResults polled within
// a bound, throttling retried with backoff. A query that fails, times out or
// stays throttled is a SourceError: no evidence, never a pass.

export interface CloudWatchLogsOptions {
  name: string;
  region?: string;
  client?: CloudWatchLogsClient;
  logGroups: string[];
  logGroupPrefixes: string[];
  /** Insights filter expression selecting the app's lines (optional). */
  filter?: string;
  /** Insights filter expression selecting error lines, e.g. `level = "error"`. */
  errorFilter: string;
  /** Bound for one query, start to last result (default 60 s). */
  queryTimeoutMs?: number;
  pollIntervalMs?: number;
  /** Retries while throttled (default 6), first backoff (default 500 ms, doubling, ±50% jitter). */
  maxRetries?: number;
  baseDelayMs?: number;
}

/** Insights queries at most 50 log groups at once. */
export const MAX_LOG_GROUPS = 50;
/** Insights returns at most 10 000 rows. */
export const MAX_ROWS = 10_000;

const DONE_BAD = new Set(['Failed', 'Cancelled', 'Timeout', 'Unknown']);

/** "2026-12-01 10:00:00.000" (UTC, Insights' format) or ISO → epoch ms. */
export function insightsTime(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2} /.test(v) ? `${v.replace(' ', 'T')}${/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? '' : 'Z'}` : v);
  return Number.isNaN(t) ? undefined : t;
}

const field = (row: ResultField[], name: string): string | undefined => row.find((f) => f.field === name)?.value;

/** The message of a log event: the JSON line's message field when it is JSON, else the line. */
export function messageOf(raw: string): string {
  const s = raw.trim();
  if (s.startsWith('{')) {
    try {
      const obj = JSON.parse(s) as Record<string, unknown>;
      for (const f of DEFAULT_MESSAGE_FIELDS) {
        const v = f.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
        if (typeof v === 'string' && v) return v;
      }
    } catch {
      /* not JSON after all */
    }
  }
  return s;
}

export class CloudWatchLogsSource implements LogSource {
  readonly kind = 'cloudwatch-logs' as const;
  readonly name: string;
  readonly describe: string;
  private readonly client: CloudWatchLogsClient;
  private groups: Promise<string[]> | undefined;

  constructor(private readonly opts: CloudWatchLogsOptions) {
    this.name = opts.name;
    this.describe = `CloudWatch Logs Insights: ${[...opts.logGroups, ...opts.logGroupPrefixes.map((p) => `${p}*`)].join(', ')}`;
    // Our own backoff decides how long throttling is tolerated.
    this.client = opts.client ?? new CloudWatchLogsClient({ ...(opts.region ? { region: opts.region } : {}), maxAttempts: 1 });
  }

  private send<T>(what: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return sendWithBackoff(this.name, what, call, { maxRetries: this.opts.maxRetries ?? 6, baseDelayMs: this.opts.baseDelayMs ?? 500, ...(signal ? { signal } : {}) });
  }


  /** The named groups plus every group found by prefix (paged); none at all is an error. */
  logGroupNames(signal?: AbortSignal): Promise<string[]> {
    this.groups ??= (async () => {
      const names = new Set(this.opts.logGroups);
      for (const prefix of this.opts.logGroupPrefixes) {
        let nextToken: string | undefined;
        do {
          const out = await this.send('DescribeLogGroups', () => this.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, ...(nextToken ? { nextToken } : {}) }), signal ? { abortSignal: signal } : {}), signal);
          for (const g of out.logGroups ?? []) if (g.logGroupName) names.add(g.logGroupName);
          nextToken = out.nextToken;
        } while (nextToken);
      }
      if (names.size === 0) throw new SourceError(this.name, `no log group matches the prefixes ${this.opts.logGroupPrefixes.join(', ')}`);
      if (names.size > MAX_LOG_GROUPS) throw new SourceError(this.name, `${names.size} log groups match; Insights queries at most ${MAX_LOG_GROUPS} at once (narrow the prefixes)`);
      return [...names].sort();
    })();
    this.groups.catch(() => (this.groups = undefined));
    return this.groups;
  }

  /** One Insights query, polled to completion within the bound. */
  async query(queryString: string, start: number, end: number, limit: number, signal?: AbortSignal): Promise<ResultField[][]> {
    const logGroupNames = await this.logGroupNames(signal);
    const timeout = this.opts.queryTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeout;
    const started = await this.send(
      'StartQuery',
      () => this.client.send(new StartQueryCommand({ logGroupNames, queryString, startTime: Math.floor(start / 1000), endTime: Math.floor((end - 1) / 1000), limit }), signal ? { abortSignal: signal } : {}),
      signal,
    );
    const queryId = started.queryId;
    if (!queryId) throw new SourceError(this.name, 'StartQuery returned no query id');
    const poll = this.opts.pollIntervalMs ?? 1_000;
    for (;;) {
      const out = await this.send('GetQueryResults', () => this.client.send(new GetQueryResultsCommand({ queryId }), signal ? { abortSignal: signal } : {}), signal);
      if (out.status === 'Complete') return out.results ?? [];
      if (out.status && DONE_BAD.has(out.status)) throw new SourceError(this.name, `query ${queryId} ended ${out.status}`);
      if (Date.now() + poll > deadline || signal?.aborted) {
        await this.client.send(new StopQueryCommand({ queryId })).catch(() => undefined);
        throw new SourceError(this.name, signal?.aborted ? `query ${queryId} aborted` : `query ${queryId} did not complete within ${timeout} ms (status ${out.status ?? 'unknown'})`);
      }
      await sleep(poll, signal).catch(() => undefined);
    }
  }

  private binsFrom(rows: ResultField[][], q: LogWindowQuery): Map<number, number> {
    const out = new Map<number, number>();
    for (const row of rows) {
      const binField = row.find((f) => f.field?.startsWith('bin('));
      const t = insightsTime(binField?.value);
      const n = Number(field(row, 'n'));
      if (t === undefined || !Number.isFinite(n)) continue;
      const key = q.start + Math.floor((t - q.start) / q.stepMs) * q.stepMs;
      out.set(key, (out.get(key) ?? 0) + n);
    }
    return out;
  }

  async window(q: LogWindowQuery): Promise<LogWindow> {
    const base = this.opts.filter ? `filter ${this.opts.filter} | ` : '';
    const errors = `${base}filter ${this.opts.errorFilter} | `;
    const step = `${Math.max(1, Math.round(q.stepMs / 1000))}s`;
    const limit = Math.min(q.maxMessages, MAX_ROWS);
    const [totalRows, errorRows, messageRows] = await Promise.all([
      this.query(`${base}stats count(*) as n by bin(${step})`, q.start, q.end, MAX_ROWS, q.signal),
      this.query(`${errors}stats count(*) as n by bin(${step})`, q.start, q.end, MAX_ROWS, q.signal),
      this.query(`${errors}fields @timestamp, @message | sort @timestamp desc | limit ${limit}`, q.start, q.end, limit, q.signal),
    ]);
    const totals = this.binsFrom(totalRows, q);
    const errs = this.binsFrom(errorRows, q);
    const n = Math.max(1, Math.ceil((q.end - q.start) / q.stepMs));
    const bins: LogBin[] = Array.from({ length: n }, (_, i) => {
      const t = q.start + i * q.stepMs;
      return { t, total: totals.get(t) ?? 0, errors: errs.get(t) ?? 0 };
    });
    const messages: ErrorLine[] = [];
    for (const row of messageRows) {
      const time = insightsTime(field(row, '@timestamp'));
      const raw = field(row, '@message');
      if (time !== undefined && raw !== undefined) messages.push({ time, message: messageOf(raw) });
    }
    messages.sort((a, b) => a.time - b.time);
    const totalLines = bins.reduce((s, b) => s + b.total, 0);
    const errorLines = bins.reduce((s, b) => s + b.errors, 0);
    return { bins, totalLines, errorLines, messages, truncated: messages.length < errorLines };
  }
}
