import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { makeStageContext, removeStageDirs } from '../../../e2e/helpers/stage-context.ts';
import { UsageError } from '../../core/errors.ts';
import { CloudWatchSource } from '../../sources/cloudwatch.ts';
import { PrometheusSource } from '../../sources/prometheus.ts';
import { sourceHealth } from './health.ts';
import { metricsStage } from './index.ts';

// The metrics stage asserts something or refuses before any request: a
// condition naming a variable that does not exist, or a stage with nothing
// to evaluate, is a usage error — and a source counts as readable only
// after it answered.

afterAll(removeStageDirs);

async function ctxWith(metrics: Record<string, unknown>) {
  return makeStageContext({ target: { environment: 'test', baseUrl: 'http://127.0.0.1:9' }, config: { stages: { metrics } } });
}

async function plan(metrics: Record<string, unknown>): Promise<Error | undefined> {
  const ctx = await ctxWith(metrics);
  const p = { config: ctx.config, settings: ctx.settings, target: ctx.target, secrets: ctx.secrets, imports: [], planned: ['metrics'] };
  try {
    await metricsStage.plan!(p);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

describe('metrics stage plan', () => {
  it('a condition naming an unknown variable is refused with the rule named', async () => {
    const err = await plan({ rules: [{ name: 'error-rate', query: 'x', failureCondition: 'foo > 1' }] });
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toContain('error-rate');
    expect(err?.message).toContain('"foo"');
    expect(err?.message).toContain('stages.metrics.rules.0.failureCondition');
  });

  it('an unknown function is refused too; known names, members and functions plan', async () => {
    expect(await plan({ rules: [{ name: 'r', query: 'x', successCondition: 'median(result) < 1' }] })).toBeInstanceOf(UsageError);
    expect(await plan({ rules: [{ name: 'r', query: 'x', successCondition: 'max(result) < 1 && labels.job == "api" && len(result) > 0 && !isNaN(value) && result[0] < Infinity' }] })).toBeUndefined();
  });

  it('nothing to evaluate (no rules, alarms or comparisons) is refused with what to add', async () => {
    const err = await plan({});
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(/rules.*alarms.*comparisons/);
    expect(err?.message).toContain('enabled: false');
  });

  it('an unknown source named by a rule is refused', async () => {
    expect(await plan({ sources: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } }, rules: [{ name: 'r', source: 'nope', query: 'x', successCondition: 'value < 1' }] })).toBeInstanceOf(UsageError);
  });
});

describe('metrics stage run with nothing to evaluate', () => {
  it('reads nothing and gives no counted evidence (the required-stage rule then holds)', async () => {
    const ctx = await ctxWith({});
    await metricsStage.run(ctx);
    expect(ctx.checks.filter((c) => c.status !== 'skipped')).toEqual([]);
  });
});

describe('source readable: only on an answer', () => {
  const client = new CloudWatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
  const cw = mockClient(client);
  afterEach(() => cw.reset());
  const source = () => new CloudWatchSource({ client, baseDelayMs: 1, maxRetries: 1 });

  it('CloudWatch: makes a real call and passes on its answer', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'pdv_result', StatusCode: 'Complete', Timestamps: [], Values: [] }] });
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    const c = await sourceHealth('metrics', source(), undefined);
    expect(c.status).toBe('passed');
    expect(cw.commandCalls(GetMetricDataCommand).length + cw.commandCalls(DescribeAlarmsCommand).length).toBeGreaterThan(0);
  });

  it('CloudWatch: a call that is refused is errored, not passed', async () => {
    cw.on(GetMetricDataCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }));
    cw.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }));
    const c = await sourceHealth('metrics', source(), undefined);
    expect(c.status).toBe('errored');
    expect(c.message).toMatch(/not authorized/);
  });

  it('Prometheus with the up query turned off still asks the server', async () => {
    const c = await sourceHealth('metrics', new PrometheusSource({ name: 'prom', url: 'http://127.0.0.1:9', timeoutMs: 2000 }), '');
    expect(c.status).toBe('errored');
  });
});
