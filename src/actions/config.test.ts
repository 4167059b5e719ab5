import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, expect, it } from 'vitest';
import { Redactor } from '../core/redact.ts';
import { fixtureConfig, fixtureReport } from './_testing.ts';
import { cloudwatchPublishSchema } from './config.ts';
import { runActions } from './index.ts';

// The publish namespace belongs to the project being verified, not to the demo.

const cw = mockClient(CloudWatchClient);
afterEach(() => cw.reset());

it('the default namespace names no project of its own: {environment}/{project}/verification', () => {
  expect(cloudwatchPublishSchema.parse({}).namespace).toBe('{environment}/{project}/verification');
});

it("publishes under the config's project", async () => {
  cw.on(PutMetricDataCommand).resolves({});
  await runActions({
    report: fixtureReport({ verdict: 'hold' }),
    config: fixtureConfig({}, { project: 'shop-checkout', publish: { cloudwatch: { region: 'eu-west-1' } } }),
    runDir: '/tmp/x',
    reportsDir: '/tmp/x',
    redactor: new Redactor(),
    dryRun: false,
    env: {},
  });
  expect(cw.commandCalls(PutMetricDataCommand)[0]?.args[0].input.Namespace).toBe('staging/shop-checkout/verification');
});
