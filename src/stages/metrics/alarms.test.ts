import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { CloudWatchSource } from '../../sources/cloudwatch.ts';
import { checkAlarms } from './alarms.ts';
import { alarmConfigSchema } from './config.ts';

describe('checkAlarms over CloudWatch', () => {
  const client = new CloudWatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
  const cw = mockClient(client);
  const source = new CloudWatchSource({ client, baseDelayMs: 1, maxRetries: 1 });

  it('ALARM fails, OK passes, INSUFFICIENT_DATA and a missing name are errored', async () => {
    cw.reset();
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        { AlarmName: 'api-5xx', StateValue: 'ALARM', StateReason: 'Threshold Crossed' },
        { AlarmName: 'api-latency', StateValue: 'OK' },
        { AlarmName: 'queue-depth', StateValue: 'INSUFFICIENT_DATA' },
      ],
    });
    const cfg = alarmConfigSchema.parse({ names: ['api-5xx', 'api-latency', 'queue-depth', 'gone'] });
    const { checks } = await checkAlarms('metrics', cfg, source);
    expect(Object.fromEntries(checks.map((c) => [c.id, c.status]))).toEqual({
      'metrics.alarm.api-5xx': 'failed',
      'metrics.alarm.api-latency': 'passed',
      'metrics.alarm.queue-depth': 'errored',
      'metrics.alarm.gone': 'errored',
    });
    expect(checks[0]!.severity).toBe('critical');
    expect(checks[0]!.message).toMatch(/Threshold Crossed/);
  });

  it('an unreadable source gives one errored check', async () => {
    cw.reset();
    cw.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('getaddrinfo ENOTFOUND'), { name: 'Error' }));
    const { checks } = await checkAlarms('metrics', alarmConfigSchema.parse({ prefixes: ['staging-'] }), source);
    expect(checks).toHaveLength(1);
    expect(checks[0]!.status).toBe('errored');
  });
});
