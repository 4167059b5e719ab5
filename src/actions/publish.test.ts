import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Redactor } from '../core/redact.ts';
import { fixtureConfig, fixtureReport } from './_testing.ts';
import { runActions } from './index.ts';

const cw = mockClient(CloudWatchClient);
beforeEach(() => cw.reset());
afterEach(() => cw.reset());

function run(publish: Record<string, unknown>, verdict: 'stand' | 'hold' | 'rollback' = 'hold', dryRun = false, env: NodeJS.ProcessEnv = {}) {
  return runActions({
    report: fixtureReport({ verdict }),
    config: fixtureConfig({}, { publish }),
    runDir: '/tmp/x',
    reportsDir: '/tmp/x',
    redactor: new Redactor(),
    dryRun,
    env,
  });
}

it('puts the verdict and stage durations under the default namespace', async () => {
  cw.on(PutMetricDataCommand).resolves({});
  const records = await run({ cloudwatch: { region: 'eu-west-1', dimensions: { Service: 'web' } } });
  const calls = cw.commandCalls(PutMetricDataCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0]!.args[0].input;
  expect(input.Namespace).toBe('staging/ai-film-studio/verification');
  const byName = (name: string) => input.MetricData!.filter((d) => d.MetricName === name);
  expect(byName('Verdict')[0]).toMatchObject({ Value: 2, Unit: 'None', Dimensions: [{ Name: 'Environment', Value: 'staging' }, { Name: 'Service', Value: 'web' }] });
  expect(byName('VerdictHold')[0]!.Value).toBe(1);
  expect(byName('VerdictRollback')[0]!.Value).toBe(0);
  expect(byName('StageDuration').map((d) => [d.Dimensions!.find((x) => x.Name === 'Stage')!.Value, d.Value, d.Unit])).toEqual([
    ['smoke', 1234, 'Milliseconds'],
    ['load', 5678, 'Milliseconds'],
  ]);
  expect(byName('ChecksFailed')[0]!.Value).toBe(2);
  expect(records).toEqual([expect.objectContaining({ kind: 'publish', name: 'cloudwatch', status: 'succeeded' })]);
});

it('takes a custom namespace and the runbook region; a failure is recorded, not thrown', async () => {
  cw.on(PutMetricDataCommand).rejects(Object.assign(new Error('User is not authorized to perform cloudwatch:PutMetricData'), { name: 'AccessDenied' }));
  const records = await run({ cloudwatch: { namespace: 'pdv/{project}/{environment}' } }, 'rollback', false, { AWS_REGION: 'us-east-2' });
  expect(cw.commandCalls(PutMetricDataCommand)[0]!.args[0].input.Namespace).toBe('pdv/ai-film-studio/staging');
  expect(records.find((r) => r.kind === 'publish')).toMatchObject({ status: 'failed', message: expect.stringContaining('not authorized') });
});

it('records a failure without a region, and a dry run puts nothing', async () => {
  expect((await run({ cloudwatch: {} }))[0]).toMatchObject({ status: 'failed', message: expect.stringContaining('no region') });
  expect((await run({ cloudwatch: { region: 'eu-west-1' } }, 'stand', true))[0]).toMatchObject({ status: 'dry-run' });
  expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(0);
});
