import { GetServiceGraphCommand, GetTimeSeriesServiceStatisticsCommand, XRayClient, XRayServiceException, type Service } from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from './types.ts';
import { histogramPercentile, XRaySource } from './xray.ts';

const xr = mockClient(XRayClient);
afterEach(() => xr.reset());

const source = (maxRetries = 3) => new XRaySource({ name: 'xray', region: 'eu-west-1', client: new XRayClient({ region: 'eu-west-1' }), baseDelayMs: 1, maxRetries });
const svc = (Name: string, total: number, faults = 0, errors = 0, throttles = 0, Type = 'AWS::ECS::Container'): Service => ({
  Name,
  Type,
  SummaryStatistics: { TotalCount: total, FaultStatistics: { TotalCount: faults }, ErrorStatistics: { TotalCount: errors, ThrottleCount: throttles } },
});
const throttled = () => new XRayServiceException({ name: 'ThrottledException', $fault: 'client', $metadata: { httpStatusCode: 429 }, message: 'Rate exceeded' });

describe('XRaySource.serviceGraph', () => {
  it('joins pages and sums a service seen on two pages', async () => {
    xr.on(GetServiceGraphCommand)
      .resolvesOnce({ Services: [svc('api', 100, 1, 2, 1)], NextToken: 'p2' })
      .resolvesOnce({ Services: [svc('api', 50, 1), svc('worker', 10)] });
    const out = await source().serviceGraph(0, 60_000);
    expect(out).toEqual([
      { key: 'api (AWS::ECS::Container)', name: 'api', type: 'AWS::ECS::Container', requests: 150, faults: 2, errors: 2, throttles: 1 },
      { key: 'worker (AWS::ECS::Container)', name: 'worker', type: 'AWS::ECS::Container', requests: 10, faults: 0, errors: 0, throttles: 0 },
    ]);
    const calls = xr.commandCalls(GetServiceGraphCommand).map((c) => c.args[0].input);
    expect(calls[1]?.NextToken).toBe('p2');
    expect(calls[0]?.StartTime?.getTime()).toBe(0);
  });

  it('backs off on throttling, then answers', async () => {
    xr.on(GetServiceGraphCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ Services: [svc('api', 1)] });
    expect((await source().serviceGraph(0, 1)).map((s) => s.name)).toEqual(['api']);
    expect(xr.commandCalls(GetServiceGraphCommand)).toHaveLength(3);
  });

  it('throttled to the end is a SourceError', async () => {
    xr.on(GetServiceGraphCommand).rejects(throttled());
    const err = await source(2).serviceGraph(0, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(/still throttled after 3 attempts/);
  });
});

describe('XRaySource.latencySeries', () => {
  it('pages GetTimeSeriesServiceStatistics by service name, sorted by time', async () => {
    xr.on(GetTimeSeriesServiceStatisticsCommand)
      .resolvesOnce({ TimeSeriesServiceStatistics: [{ Timestamp: new Date(120_000), ResponseTimeHistogram: [{ Value: 0.2, Count: 3 }] }], NextToken: 'n' })
      .resolvesOnce({ TimeSeriesServiceStatistics: [{ Timestamp: new Date(60_000), ResponseTimeHistogram: [{ Value: 0.1, Count: 1 }] }] });
    const out = await source().latencySeries('api "v2"', 0, 180_000, 60);
    expect(out.map((p) => p.t)).toEqual([60_000, 120_000]);
    const input = xr.commandCalls(GetTimeSeriesServiceStatisticsCommand)[0]?.args[0].input;
    expect(input?.EntitySelectorExpression).toBe('service("api \\"v2\\"")');
    expect(input?.Period).toBe(60);
  });
});

describe('histogramPercentile', () => {
  it.each([
    [[{ value: 0.1, count: 90 }, { value: 1, count: 10 }], 50, 0.1],
    [[{ value: 0.1, count: 90 }, { value: 1, count: 10 }], 95, 1],
    [[{ value: 2, count: 1 }, { value: 0.5, count: 1 }], 50, 0.5],
    [[], 95, undefined],
  ])('%j p%d → %s', (h, q, want) => expect(histogramPercentile(h, q)).toBe(want));
});
