import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { planStages } from './plan.ts';

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
