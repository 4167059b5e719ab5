import { GetServiceGraphCommand, GetTimeSeriesServiceStatisticsCommand, XRayClient, type Service } from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { XRaySource } from '../../sources/xray.ts';
import { traceCheckConfigSchema } from './traces-config.ts';
import { judgeRate, runTraceChecks } from './traces.ts';

// The trace checks on the real X-Ray client, its transport mocked: the
// before window and the after window get different service graphs.

const xr = mockClient(XRayClient);
afterEach(() => xr.reset());

const MIN = 60_000;
const DEPLOY = Date.UTC(2026, 11, 1, 10);
const cfg = (over: Record<string, unknown> = {}) => traceCheckConfigSchema.parse({ name: 'xray', source: { type: 'xray', region: 'eu-west-1' }, window: 30 * MIN, ...over });
const svc = (Name: string, total: number, faults = 0, errors = 0): Service => ({ Name, Type: 'AWS::ECS::Container', SummaryStatistics: { TotalCount: total, FaultStatistics: { TotalCount: faults }, ErrorStatistics: { TotalCount: errors, ThrottleCount: 0 } } });
const xray = () => new XRaySource({ name: 'xray', region: 'eu-west-1', client: new XRayClient({ region: 'eu-west-1' }), baseDelayMs: 1 });

function graphs(before: Service[], after: Service[]): void {
  xr.on(GetServiceGraphCommand).callsFake((input: { StartTime: Date }) => ({ Services: input.StartTime.getTime() < DEPLOY ? before : after }));
}

/** 30 one-minute periods per window; response time `secs(after)` for every request. */
function latency(secs: (after: boolean, i: number) => number): void {
  xr.on(GetTimeSeriesServiceStatisticsCommand).callsFake((input: { StartTime: Date; EndTime: Date }) => {
    const start = input.StartTime.getTime();
    const after = start >= DEPLOY;
    return {
      TimeSeriesServiceStatistics: Array.from({ length: 30 }, (_, i) => ({ Timestamp: new Date(start + i * MIN), ResponseTimeHistogram: [{ Value: secs(after, i), Count: 20 }] })),
    };
  });
}

const run = (over: Record<string, unknown> = {}) => runTraceChecks(cfg(over), xray(), { deployTime: DEPLOY, now: DEPLOY + 60 * MIN });
const statuses = (out: Awaited<ReturnType<typeof run>>) => Object.fromEntries(out.checks.map((c) => [c.id.replace('metrics.traces.xray.', ''), c.status]));

describe('X-Ray trace checks', () => {
  it('pass when rates, response times and services hold', async () => {
    graphs([svc('api', 1000, 5, 10), svc('worker', 200)], [svc('api', 1000, 6, 9), svc('worker', 210)]);
    latency((_after, i) => 0.1 + (i % 5) * 0.01);
    expect(statuses(await run())).toEqual({ rates: 'passed', latency: 'passed', services: 'passed' });
  });

  it('fail when the fault rate jumps, p95 rises and a service disappears', async () => {
    graphs([svc('api', 1000, 5), svc('worker', 200)], [svc('api', 1000, 80)]);
    latency((after, i) => (after ? 0.6 : 0.1) + (i % 5) * 0.01);
    const out = await run();
    expect(statuses(out)).toEqual({ rates: 'failed', latency: 'failed', services: 'failed' });
    const byId = Object.fromEntries(out.checks.map((c) => [c.id, c]));
    expect(byId['metrics.traces.xray.rates']?.message).toContain('api (AWS::ECS::Container) faults 0.50% → 8.00%');
    expect(byId['metrics.traces.xray.services']?.message).toContain('worker (AWS::ECS::Container) served requests before the deploy and none after it');
  });

  it('are errored (hold) when the graph before the deploy is empty', async () => {
    graphs([], [svc('api', 1000)]);
    const out = await run();
    expect(out.checks.map((c) => c.status)).toEqual(['errored', 'errored', 'errored']);
    expect(out.checks[0]?.message).toContain('holds 0 request(s)');
  });

  it('are errored when X-Ray cannot be read', async () => {
    xr.on(GetServiceGraphCommand).rejects(new Error('AccessDenied'));
    const out = await run();
    expect(out.checks.map((c) => c.status)).toEqual(['errored', 'errored', 'errored']);
  });

  it('judge only the named services; a named one absent before is errored, not passed', async () => {
    graphs([svc('api', 1000)], [svc('api', 1000)]);
    latency(() => 0.1);
    const out = await run({ services: ['api', 'billing'], latency: { enabled: false } });
    expect(statuses(out)).toEqual({ rates: 'passed', services: 'errored' });
  });
});

describe('judgeRate', () => {
  const c = { confidence: 0.98, minEffect: { absolute: 0.01, relative: 0.5 } };
  it.each([
    [5, 1000, 80, 1000, true],
    [5, 1000, 7, 1000, false], // within noise
    [0, 1000, 0, 1000, false],
    [0, 10, 1, 10, false], // too few to be significant
    [100, 1000, 130, 1000, false], // significant? the floor (relative 0.5 → 5%) is not crossed
  ])('%d/%d → %d/%d failed=%s', (k1, n1, k2, n2, failed) => expect(judgeRate(k1, n1, k2, n2, c).failed).toBe(failed));
});
