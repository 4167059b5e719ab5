import { CloudWatchClient, CloudWatchServiceException, DescribeAlarmsCommand, ListDashboardsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { MonitoringSource } from '../../sources/monitoring.ts';
import { monitoringConfigSchema, runMonitoringChecks } from './monitoring.ts';

const cw = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
afterEach(() => {
  cw.reset();
  logs.reset();
});

const NOW = Date.UTC(2026, 11, 1, 12);
const source = () => new MonitoringSource({ cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }), logs: new CloudWatchLogsClient({ region: 'eu-west-1' }), baseDelayMs: 1 });
const cfg = (over: Record<string, unknown> = {}) => monitoringConfigSchema.parse({ alarms: ['api-5xx', 'api-latency'], logGroups: ['/app/api'], dashboards: ['api'], ...over });
const alarm = (AlarmName: string, over: Partial<MetricAlarm> = {}): MetricAlarm => ({ AlarmName, StateValue: 'OK', ActionsEnabled: true, AlarmActions: ['arn:aws:sns:eu-west-1:1:ops'], StateUpdatedTimestamp: new Date(NOW - 60_000), ...over });
const statuses = (checks: Array<{ id: string; status: string }>) => Object.fromEntries(checks.map((c) => [c.id, c.status]));

describe('monitoring configured', () => {
  it('passes when alarms, log groups and dashboards are all there (paged)', async () => {
    cw.on(DescribeAlarmsCommand).resolvesOnce({ MetricAlarms: [alarm('api-5xx')], NextToken: 't' }).resolvesOnce({ CompositeAlarms: [alarm('api-latency')] });
    logs.on(DescribeLogGroupsCommand).resolvesOnce({ logGroups: [{ logGroupName: '/app/api-old' }], nextToken: 'n' }).resolvesOnce({ logGroups: [{ logGroupName: '/app/api' }] });
    cw.on(ListDashboardsCommand).resolves({ DashboardEntries: [{ DashboardName: 'api' }, { DashboardName: 'api-v2' }] });
    const checks = await runMonitoringChecks(cfg(), source(), { now: NOW });
    expect(statuses(checks)).toEqual({ 'metrics.monitoring.alarms': 'passed', 'metrics.monitoring.log-groups': 'passed', 'metrics.monitoring.dashboards': 'passed' });
    expect(cw.commandCalls(DescribeAlarmsCommand)[1]?.args[0].input.NextToken).toBe('t');
  });

  it('fails a missing alarm, one with actions disabled, one without data for too long, a missing log group and dashboard', async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [alarm('api-5xx', { ActionsEnabled: false }), alarm('api-latency', { StateValue: 'INSUFFICIENT_DATA', StateUpdatedTimestamp: new Date(NOW - 3 * 3_600_000) })],
    });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/app/api-old' }] });
    cw.on(ListDashboardsCommand).resolves({ DashboardEntries: [] });
    const checks = await runMonitoringChecks(cfg({ alarms: ['api-5xx', 'api-latency', 'api-gone'] }), source(), { now: NOW });
    expect(statuses(checks)).toEqual({ 'metrics.monitoring.alarms': 'failed', 'metrics.monitoring.log-groups': 'failed', 'metrics.monitoring.dashboards': 'failed' });
    const msg = checks[0]?.message ?? '';
    expect(msg).toContain('api-5xx has its actions disabled');
    expect(msg).toContain('api-latency has been INSUFFICIENT_DATA since');
    expect(msg).toContain('api-gone does not exist');
  });

  it('INSUFFICIENT_DATA within the bound passes', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('a', { StateValue: 'INSUFFICIENT_DATA', StateUpdatedTimestamp: new Date(NOW - 10 * 60_000) })] });
    expect((await runMonitoringChecks(cfg({ alarms: ['a'], logGroups: [], dashboards: [] }), source(), { now: NOW }))[0]?.status).toBe('passed');
  });

  it('is errored when CloudWatch stays throttled (no evidence, not a pass)', async () => {
    cw.on(DescribeAlarmsCommand).rejects(new CloudWatchServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' }));
    const [check] = await runMonitoringChecks(cfg({ logGroups: [], dashboards: [] }), new MonitoringSource({ cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }), logs: new CloudWatchLogsClient({ region: 'eu-west-1' }), baseDelayMs: 1, maxRetries: 1 }), { now: NOW });
    expect(check?.status).toBe('errored');
    expect(check?.message).toContain('still throttled after 2 attempts');
  });
});
