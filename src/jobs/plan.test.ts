import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { checkPlan, planStages, targetOf } from './plan.ts';

function resolved(stages: Record<string, unknown>): ResolvedConfig {
  const parsed = configSchema.parse({ environments: { x: { baseUrl: 'http://127.0.0.1:9' } }, stages });
  const environment = parsed.environments.x;
  if (!environment) throw new Error('no environment');
  return { ...parsed, rootDir: '/tmp', environmentName: 'x', environment, runtime: {}, env: process.env };
}

describe('the default plan: smoke, security, and each stage the config sets up', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['nothing configured', {}, ['smoke', 'security']],
    ['uat specs named', { uat: { testDir: 'e2e' } }, ['smoke', 'uat', 'security']],
    ['a load scenario named', { load: { scenario: 'perf/x.ts' } }, ['smoke', 'security', 'load']],
    // Regression: a metrics stage set up with log checks only was left out of the plan.
    ['metrics with log checks only', { metrics: { logs: [{ name: 'api', source: { type: 'file', paths: ['app.log'] } }] } }, ['smoke', 'security', 'metrics']],
    ['a configured stage switched off', { uat: { testDir: 'e2e', enabled: false } }, ['smoke', 'security']],
  ])('%s', (_name, stages, names) => {
    expect(planStages(resolved(stages)).map((s) => s.name)).toEqual(names);
  });
});

describe('the plan-time DNS check (issue 23) and runs that send nothing', () => {
  const unresolvable = async (): Promise<never> => {
    throw Object.assign(new Error('getaddrinfo ENOTFOUND stand.invalid'), { code: 'ENOTFOUND' });
  };
  const onStand = (c: ResolvedConfig): ResolvedConfig => ({ ...c, environment: { ...c.environment, baseUrl: 'http://stand.invalid' } });
  const summary = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'pdv-plan-'));
    const file = join(dir, 'summary.json');
    writeFileSync(file, JSON.stringify({ metrics: { http_reqs: { type: 'counter', values: { count: 10, rate: 1 } } } }));
    return file;
  };

  it('an import-only load run (pdv load import-k6) does not resolve the target: it sends nothing', async () => {
    const config = onStand(resolved({ load: { scenario: 'perf/x.ts' } }));
    await expect(checkPlan({ config, target: targetOf(config), stages: planStages(config, ['load']), secrets: new Map(), imports: [summary()], lookup: unresolvable })).resolves.toBeUndefined();
  });

  it('a run beside it that sends (smoke) still refuses a host that does not resolve', async () => {
    const config = onStand(resolved({ load: { scenario: 'perf/x.ts' } }));
    await expect(checkPlan({ config, target: targetOf(config), stages: planStages(config, ['smoke', 'load']), secrets: new Map(), imports: [summary()], lookup: unresolvable })).rejects.toThrow(/does not resolve/);
  });
});
