import {
  CloudWatchLogsClient,
  CloudWatchLogsServiceException,
  DescribeLogGroupsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../types.ts';
import { CloudWatchLogsSource, insightsTime, messageOf, type CloudWatchLogsOptions } from './cloudwatch.ts';

// The real CloudWatchLogsClient with its transport mocked: what we send
// (query strings, log groups, times) and how we read what comes back.

const cwl = mockClient(CloudWatchLogsClient);
afterEach(() => cwl.reset());

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const MIN = 60_000;
const q = { start: T0, end: T0 + 3 * MIN, stepMs: MIN, maxMessages: 100 };
const row = (fields: Record<string, string>): ResultField[] => Object.entries(fields).map(([field, value]) => ({ field, value }));
const ts = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

const source = (over: Partial<CloudWatchLogsOptions> = {}) =>
  new CloudWatchLogsSource({ name: 'app', region: 'eu-west-1', client: new CloudWatchLogsClient({ region: 'eu-west-1' }), logGroups: ['/app/api'], logGroupPrefixes: [], errorFilter: 'level = "error"', pollIntervalMs: 5, baseDelayMs: 1, queryTimeoutMs: 2_000, ...over });

const throttled = () => new CloudWatchLogsServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
const limit = () => new CloudWatchLogsServiceException({ name: 'LimitExceededException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'too many concurrent queries' });

/** Answer each query by what it asks: totals, error counts, or error messages. */
function answerQueries(opts: { running?: number } = {}) {
  const byId = new Map<string, string>();
  let n = 0;
  cwl.on(StartQueryCommand).callsFake((input: { queryString: string }) => {
    const id = `q${++n}`;
    byId.set(id, input.queryString);
    return { queryId: id };
  });
  const polls = new Map<string, number>();
  cwl.on(GetQueryResultsCommand).callsFake((input: { queryId: string }) => {
    const seen = (polls.get(input.queryId) ?? 0) + 1;
    polls.set(input.queryId, seen);
    if (seen <= (opts.running ?? 1)) return { status: 'Running', results: [] };
    const qs = byId.get(input.queryId)!;
    if (qs.includes('fields @timestamp')) {
      return { status: 'Complete', results: [row({ '@timestamp': ts(T0 + 5_000), '@message': '{"level":"error","msg":"render 12 failed"}' }), row({ '@timestamp': ts(T0 + 70_000), '@message': 'plain text error 7' })] };
    }
    const counts = qs.includes('level = "error"') ? [1, 1, 0] : [100, 50, 10];
    return { status: 'Complete', results: counts.map((c, i) => row({ 'bin(60s)': ts(T0 + i * MIN), n: String(c) })) };
  });
}

describe('CloudWatch Logs Insights source', () => {
  it('reads bins, error counts and messages; resolves prefixes over pages', async () => {
    cwl.on(DescribeLogGroupsCommand, { logGroupNamePrefix: '/svc/' }).resolvesOnce({ logGroups: [{ logGroupName: '/svc/a' }], nextToken: 'p2' }).resolvesOnce({ logGroups: [{ logGroupName: '/svc/b' }] });
    answerQueries({ running: 2 });
    const w = await source({ logGroupPrefixes: ['/svc/'], filter: 'service = "api"' }).window(q);
    expect(w.bins).toEqual([
      { t: T0, total: 100, errors: 1 },
      { t: T0 + MIN, total: 50, errors: 1 },
      { t: T0 + 2 * MIN, total: 10, errors: 0 },
    ]);
    expect([w.totalLines, w.errorLines, w.truncated]).toEqual([160, 2, false]);
    expect(w.messages.map((m) => m.message)).toEqual(['render 12 failed', 'plain text error 7']);

    expect(cwl.commandCalls(DescribeLogGroupsCommand)).toHaveLength(2);
    const starts = cwl.commandCalls(StartQueryCommand).map((c) => c.args[0].input);
    expect(starts).toHaveLength(3);
    for (const s of starts) {
      expect(s.logGroupNames).toEqual(['/app/api', '/svc/a', '/svc/b']);
      expect(s.startTime).toBe(T0 / 1000);
      expect(s.endTime).toBe((T0 + 3 * MIN) / 1000 - 1);
      expect(s.queryString?.startsWith('filter service = "api" | ')).toBe(true);
    }
    expect(starts.map((s) => s.queryString)).toContain('filter service = "api" | filter level = "error" | stats count(*) as n by bin(60s)');
  });

  it('backs off while StartQuery is throttled, then succeeds', async () => {
    let calls = 0;
    answerQueries();
    cwl.on(StartQueryCommand).callsFake(() => {
      calls++;
      if (calls <= 2) throw calls === 1 ? throttled() : limit();
      return { queryId: `q${calls}` };
    });
    cwl.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: [] });
    const w = await source().window(q);
    expect(w.totalLines).toBe(0);
    expect(calls).toBe(5); // two throttled attempts, then three queries
  });

  it('throttled to the end is a SourceError naming it', async () => {
    cwl.on(StartQueryCommand).rejects(throttled());
    const err = await source({ maxRetries: 2 }).window(q).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(/still throttled after 3 attempts/);
  });

  it('a query that never completes within the bound is stopped and is a SourceError', async () => {
    cwl.on(StartQueryCommand).resolves({ queryId: 'slow' });
    cwl.on(GetQueryResultsCommand).resolves({ status: 'Running' });
    cwl.on(StopQueryCommand).resolves({ success: true });
    const err = await source({ queryTimeoutMs: 60 }).window(q).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(/did not complete within 60 ms/);
    expect(cwl.commandCalls(StopQueryCommand).length).toBeGreaterThan(0);
  });

  it('a failed query is a SourceError', async () => {
    cwl.on(StartQueryCommand).resolves({ queryId: 'bad' });
    cwl.on(GetQueryResultsCommand).resolves({ status: 'Failed' });
    await expect(source().window(q)).rejects.toThrow(/query bad ended Failed/);
  });

  it('an empty answer is zero lines (the check decides it is too few)', async () => {
    cwl.on(StartQueryCommand).resolves({ queryId: 'e' });
    cwl.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: [] });
    const w = await source().window(q);
    expect([w.totalLines, w.errorLines, w.messages.length]).toEqual([0, 0, 0]);
    expect(w.bins).toHaveLength(3);
  });

  it('prefixes that match no log group are a SourceError', async () => {
    cwl.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    await expect(source({ logGroups: [], logGroupPrefixes: ['/nothing/'] }).window(q)).rejects.toThrow(/no log group matches/);
  });

  it('other AWS errors are not retried', async () => {
    cwl.on(StartQueryCommand).rejects(new CloudWatchLogsServiceException({ name: 'ResourceNotFoundException', $fault: 'client', $metadata: {}, message: 'Log group does not exist' }));
    await expect(source().window(q)).rejects.toThrow(/StartQuery failed: Log group does not exist/);
    expect(cwl.commandCalls(StartQueryCommand)).toHaveLength(3); // one per query, no retries
  });
});

describe('helpers', () => {
  it.each([
    ['2026-12-01 10:00:00.000', Date.UTC(2026, 11, 1, 10)],
    ['2026-12-01T10:00:00Z', Date.UTC(2026, 11, 1, 10)],
    ['nope', undefined],
  ])('insightsTime(%j)', (v, want) => expect(insightsTime(v)).toBe(want));

  it.each([
    ['{"msg":"a"}', 'a'],
    ['{"message":"b","level":"error"}', 'b'],
    ['{"err":{"message":"c"}}', 'c'],
    ['{not json', '{not json'],
    ['  plain  ', 'plain'],
  ])('messageOf(%j)', (raw, want) => expect(messageOf(raw)).toBe(want));
});
