import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStageContext, removeStageDirs } from '../../../e2e/helpers/stage-context.ts';
import { UsageError } from '../../core/errors.ts';
import { loadStage } from './index.ts';

// Everything about a load run is known before the first request of any
// stage: the scenario file, its thresholds, its hosts, its roles. A problem
// is exit 3 from the plan — not found when the load stage starts, after
// smoke and security already sent traffic.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdv-load-plan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await removeStageDirs();
});

const GOOD = {
  name: 'api',
  scenarios: { api: { executor: 'constant-arrival-rate', rate: 5, duration: '2s', requests: [{ name: 'home', path: '/' }] } },
  thresholds: { http_req_failed: ['rate<0.01'], http_req_duration: ['p(95)<300'] },
};

async function scenarioFile(name: string, body: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, typeof body === 'string' ? body : `export default ${JSON.stringify(body, null, 1)};\n`);
  return file;
}

async function plan(load: Record<string, unknown>, env: { allowedHosts?: string[]; secrets?: Record<string, string>; environment?: Record<string, unknown> } = {}): Promise<Error | undefined> {
  const ctx = await makeStageContext({ target: { environment: 'test', baseUrl: 'http://127.0.0.1:9' }, config: { stages: { load } }, ...(env.secrets ? { secrets: env.secrets } : {}), ...(env.environment ? { environment: env.environment } : {}) });
  ctx.settings.environment.allowedHosts = env.allowedHosts ?? ['127.0.0.1'];
  const p = { config: ctx.config, settings: ctx.settings, target: ctx.target, secrets: ctx.secrets, imports: [], planned: ['smoke', 'security', 'load'] };
  try {
    await loadStage.plan!(p);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

describe('load stage plan', () => {
  it('a good scenario plans', async () => {
    expect(await plan({ scenario: await scenarioFile('good.ts', GOOD) })).toBeUndefined();
  });

  it('no scenario named: a usage error saying what to add (or enabled: false) — there is no default scenario', async () => {
    const err = await plan({});
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toContain('stages.load.scenario');
    expect(err?.message).toContain('enabled: false');
  });

  it('a scenario file that does not exist is refused', async () => {
    const err = await plan({ scenario: join(dir, 'nope.ts') });
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toContain('nope.ts');
  });

  it.each([
    ['p(101)<10', { http_req_duration: ['p(101)<10'] }, /percentile/],
    ['an unknown metric', { http_req_waiting: ['p(95)<10'] }, /unknown metric "http_req_waiting"/],
    ['a limit that is not finite', { http_req_duration: ['p(95)<1e999'] }, /finite/],
    ['a rate past 100 %', { http_req_failed: ['rate<2'] }, /between 0 and 1/],
    ['a negative limit', { http_req_duration: ['avg<-5'] }, /negative/],
  ])('refuses %s in thresholds', async (_n, thresholds, message) => {
    const err = await plan({ scenario: await scenarioFile(`t-${Math.random().toString(36).slice(2)}.ts`, { ...GOOD, thresholds }) });
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(message);
    expect(err?.message).toContain('thresholds[');
  });

  it('refuses a negative rate, naming the field', async () => {
    const bad = { ...GOOD, scenarios: { api: { ...GOOD.scenarios.api, rate: -3 } } };
    const err = await plan({ scenario: await scenarioFile('neg.ts', bad) });
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toContain('scenarios.api.rate');
  });

  it('refuses a host off the allow-list before any stage sends anything', async () => {
    const err = await plan({ scenario: await scenarioFile('hosts.ts', GOOD) }, { allowedHosts: ['staging.example.com'] });
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(/refused to send load to 127\.0\.0\.1:9/);
  });

  it('refuses a plan past the caps', async () => {
    const err = await plan({ scenario: await scenarioFile('caps.ts', GOOD), caps: { maxRate: 2 } });
    expect(err?.message).toMatch(/exceeds the cap/);
  });

  it('roles need a login (no default login path): the scenario\'s own, or the environment\'s auth', async () => {
    const withRole = { ...GOOD, scenarios: { api: { ...GOOD.scenarios.api, requests: [{ name: 'me', path: '/me', role: 'viewer' }] } } };
    const file = await scenarioFile('role-nologin.ts', withRole);
    const err = await plan({ scenario: file }, { secrets: { DEMO_VIEWER_PASSWORD: 'pw-viewer-1' }, environment: { auth: undefined } });
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toContain('no way to sign in');
    // With the environment's shared login the same scenario is fine.
    expect(await plan({ scenario: file }, { secrets: { DEMO_VIEWER_PASSWORD: 'pw-viewer-1' } })).toBeUndefined();
  });

  it('a role without credentials, or whose password variable is unset, is refused', async () => {
    const withRole = (role: string) => ({ ...GOOD, login: { path: '/auth' }, scenarios: { api: { ...GOOD.scenarios.api, requests: [{ name: 'me', path: '/me', role }] } } });
    const noRole = await plan({ scenario: await scenarioFile('role-unknown.ts', withRole('auditor')) });
    expect(noRole).toBeInstanceOf(UsageError);
    expect(noRole?.message).toContain('"auditor"');
    const saved = process.env.DEMO_VIEWER_PASSWORD;
    delete process.env.DEMO_VIEWER_PASSWORD;
    try {
      const noPassword = await plan({ scenario: await scenarioFile('role-nopw.ts', withRole('viewer')) });
      expect(noPassword).toBeInstanceOf(UsageError);
      expect(noPassword?.message).toContain('DEMO_VIEWER_PASSWORD');
    } finally {
      if (saved !== undefined) process.env.DEMO_VIEWER_PASSWORD = saved;
    }
    expect(await plan({ scenario: await scenarioFile('role-ok.ts', withRole('viewer')) }, { secrets: { DEMO_VIEWER_PASSWORD: 'pw-viewer-1' } })).toBeUndefined();
  });

  it('a scenario written in TypeScript (types, no ESM package) plans', async () => {
    const file = await scenarioFile('typed.ts', `const rate: number = 5;\nexport default { name: 'typed', scenarios: { api: { executor: 'constant-arrival-rate', rate, duration: '1s', requests: [{ name: 'home', path: '/' }] } } };\n`);
    expect(await plan({ scenario: file })).toBeUndefined();
  });
});
