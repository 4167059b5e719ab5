import { afterAll, describe, expect, it } from 'vitest';
import { makeStageContext, removeStageDirs } from '../../../e2e/helpers/stage-context.ts';
import { UsageError } from '../../core/errors.ts';
import { planMetrics } from './plan.ts';

// Logs, traces and monitoring count as something to evaluate; what they need
// (a region, unique names) is refused before any request.

afterAll(removeStageDirs);

async function plan(metrics: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<Error | undefined> {
  const ctx = await makeStageContext({ target: { environment: 'test', baseUrl: 'http://127.0.0.1:9' }, config: { stages: { metrics } } });
  try {
    await planMetrics({ config: ctx.config, settings: ctx.settings, target: ctx.target, secrets: ctx.secrets, imports: [], planned: ['metrics'] }, env);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

const fileLogs = { name: 'app', source: { type: 'file', paths: ['app.log'] } };
const cwLogs = { name: 'cw', source: { type: 'cloudwatch-logs', logGroups: ['/app/api'], errorFilter: 'level = "error"' } };

describe('metrics plan with logs, traces and monitoring', () => {
  it('a file log source alone is something to evaluate', async () => {
    expect(await plan({ logs: [fileLogs] })).toBeUndefined();
  });

  it.each([
    ['CloudWatch Logs without a region', { logs: [cwLogs] }, /logs\.0\.source\.region: CloudWatch Logs needs a region/],
    ['X-Ray without a region', { traces: [{ name: 'x', source: { type: 'xray' } }] }, /traces\.0\.source\.region: X-Ray needs a region/],
    ['monitoring without a region', { monitoring: { alarms: ['a'] } }, /monitoring\.region/],
    ['a log check name used twice', { logs: [fileLogs, fileLogs] }, /logs\.1\.name: log check name "app" is used twice/],
  ])('refuses %s', async (_what, metrics, message) => {
    const err = await plan(metrics);
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(message);
  });

  it('takes the region from AWS_REGION', async () => {
    expect(await plan({ logs: [cwLogs], traces: [{ name: 'x', source: { type: 'xray' } }], monitoring: { alarms: ['a'] } }, { AWS_REGION: 'eu-west-1' })).toBeUndefined();
  });
});
