import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchSource, cloudWatchPeriod } from './cloudwatch.ts';
import { SourceError } from './types.ts';

const client = new CloudWatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
const cw = mockClient(client);
afterEach(() => cw.reset());

function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
}

const source = (): CloudWatchSource => new CloudWatchSource({ client, namespace: 'MyApp/API', baseDelayMs: 1, maxRetries: 3 });
const t = (s: number): Date => new Date(1_790_000_000_000 + s * 1000);

describe('CloudWatchSource.range (GetMetricData)', () => {
  it('sends metric math with its metrics and merges every page', async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'pdv_result', Label: 'err', StatusCode: 'PartialData', Timestamps: [t(0), t(60)], Values: [1, 2] }], NextToken: 'p2' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'pdv_result', Label: 'err', StatusCode: 'Complete', Timestamps: [t(120)], Values: [3] }] });
    const series = await source().range(
      { expr: '100 * errors / requests', metrics: [{ id: 'errors', metricName: '5xx', stat: 'Sum' }, { id: 'requests', metricName: 'Requests', stat: 'Sum', dimensions: { Service: 'api' } }] },
      { start: t(0).getTime(), end: t(180).getTime(), stepMs: 60_000 },
    );
    expect(series).toHaveLength(1);
    expect(series[0]!.points).toEqual([[t(0).getTime(), 1], [t(60).getTime(), 2], [t(120).getTime(), 3]]);
    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(2);
    const input = calls[0]!.args[0].input;
    expect(input.MetricDataQueries?.map((q) => q.Id)).toEqual(['errors', 'requests', 'pdv_result']);
    expect(input.MetricDataQueries?.[1]?.MetricStat?.Metric?.Namespace).toBe('MyApp/API');
    expect(input.MetricDataQueries?.[1]?.MetricStat?.Metric?.Dimensions).toEqual([{ Name: 'Service', Value: 'api' }]);
    expect(input.MetricDataQueries?.[2]).toMatchObject({ Expression: '100 * errors / requests', ReturnData: true, Period: 60 });
    expect(calls[1]!.args[0].input.NextToken).toBe('p2');
  });

  it('retries throttling with backoff, then succeeds', async () => {
    cw.on(GetMetricDataCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ MetricDataResults: [{ Id: 'pdv_result', StatusCode: 'Complete', Timestamps: [t(0)], Values: [7] }] });
    const samples = await source().instant({ expr: 'SELECT AVG(Latency) FROM "MyApp/API"' }, { at: t(30).getTime() });
    expect(samples.map((s) => s.value)).toEqual([7]);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(3);
  });

  it('gives up after maxRetries throttles with a SourceError (→ errored)', async () => {
    cw.on(GetMetricDataCommand).rejects(throttled());
    await expect(source().instant({ expr: 'm1' })).rejects.toThrow(/still throttled after 4 attempts/);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(4);
  });

  it('does not retry other errors; InternalError results are errors too', async () => {
    cw.on(GetMetricDataCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(source().instant({ expr: 'm1' })).rejects.toBeInstanceOf(SourceError);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(1);
    cw.reset();
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'pdv_result', StatusCode: 'InternalError', Messages: [{ Code: 'X', Value: 'boom' }] }] });
    await expect(source().instant({ expr: 'm1' })).rejects.toThrow(/InternalError \(X boom\)/);
  });

  it('an instant query with no datapoints is an empty result (inconclusive), not a zero', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'pdv_result', StatusCode: 'Complete', Timestamps: [], Values: [] }] });
    expect(await source().instant({ expr: 'm1' })).toEqual([]);
  });

  it('chooses periods CloudWatch accepts', () => {
    expect([500, 4000, 7000, 20_000, 45_000, 60_000, 90_000, 300_000].map(cloudWatchPeriod)).toEqual([1, 5, 10, 30, 60, 60, 120, 300]);
  });
});

describe('CloudWatchSource.alarms (DescribeAlarms)', () => {
  it('reads by names and by prefix, every page, metric and composite alarms', async () => {
    cw.on(DescribeAlarmsCommand, { AlarmNames: ['api-5xx', 'api-latency'] })
      .resolves({ MetricAlarms: [{ AlarmName: 'api-5xx', StateValue: 'OK' }, { AlarmName: 'api-latency', StateValue: 'ALARM', StateReason: 'p99 > 2s' }] })
      .on(DescribeAlarmsCommand, { AlarmNamePrefix: 'staging-' })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'staging-cpu', StateValue: 'INSUFFICIENT_DATA' }], NextToken: 'n2' })
      .resolvesOnce({ CompositeAlarms: [{ AlarmName: 'staging-composite', StateValue: 'OK' }] });
    const alarms = await source().alarms({ names: ['api-5xx', 'api-latency'], prefixes: ['staging-'] });
    expect(alarms.map((a) => [a.name, a.state])).toEqual([
      ['api-5xx', 'ok'],
      ['api-latency', 'alarm'],
      ['staging-cpu', 'insufficient'],
      ['staging-composite', 'ok'],
    ]);
    expect(alarms[1]!.reason).toBe('p99 > 2s');
    const calls = cw.commandCalls(DescribeAlarmsCommand);
    expect(calls).toHaveLength(3);
    expect(calls[2]!.args[0].input.NextToken).toBe('n2');
    expect(calls[0]!.args[0].input.AlarmTypes).toEqual(['MetricAlarm', 'CompositeAlarm']);
  });

  it('splits more than 100 names into several calls and retries throttling', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `a${i}`);
    cw.on(DescribeAlarmsCommand).rejectsOnce(throttled()).resolves({ MetricAlarms: [] });
    await source().alarms({ names });
    const calls = cw.commandCalls(DescribeAlarmsCommand);
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.args[0].input.AlarmNames?.length)).toEqual([100, 100, 50]);
  });
});
