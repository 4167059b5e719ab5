import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runPlaywright } from '../src/playwright/test-process.ts';
import { PLAYWRIGHT_CONFIG } from '../src/playwright/run-checks.ts';
import { TARGET_ENV, type PwTarget } from '../src/playwright/target-env.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type DemoHandle } from '../demo/launch.ts';
import { uatStage } from '../src/stages/uat/index.ts';
import type { CheckResult } from '../src/core/types.ts';
import { DEMO_CREDENTIALS, makeStageContext, removeStageDirs, type CollectingContext } from './helpers/stage-context.ts';

const REPO = resolve(import.meta.dirname, '..');
import { findSecrets } from './helpers/scan-secrets.ts';
import { readVerdict, runCli } from './helpers/cli.ts';

// The UAT stage against the real demo, in real Chromium, one demo per fault
// set. Passwords are unique canaries so the run folder can be searched for them.

// The run folders are test scratch: removed when the file is done.
afterAll(removeStageDirs);

const CANARY = {
  DEMO_ADMIN_PASSWORD: `adm-canary-${process.pid}-Zq81`,
  DEMO_EDITOR_PASSWORD: `edt-canary-${process.pid}-Xw42`,
  DEMO_VIEWER_PASSWORD: `vwr-canary-${process.pid}-Yk63`,
};

const IDS = {
  render: 'uat.editor.renders-a-storyboard-from-an-uploaded-script',
  browse: 'uat.viewer.browses-projects-without-edit-controls',
  write: 'uat.viewer.is-refused-a-direct-api-write',
  flags: 'uat.admin.sees-the-environment-feature-flags',
  logout: 'uat.session.logout-ends-the-session',
};

async function runUat(demo: DemoHandle, o: { grep?: string; shard?: { index: number; total: number } } = {}): Promise<CollectingContext> {
  const ctx = await makeStageContext({
    target: { environment: 'demo', baseUrl: demo.baseUrl, apiUrl: demo.apiUrl, expectedVersion: '1.4.0', deployId: 'e2e-deploy' },
    secrets: CANARY,
    config: { stages: { uat: { retries: 1, workers: 2 } } },
    vars: { renderTimeoutMs: '6000' },
    ...o,
  });
  await uatStage.run(ctx);
  return ctx;
}

function byId(checks: CheckResult[]): Record<string, CheckResult> {
  return Object.fromEntries(checks.map((c) => [c.id, c]));
}

function withDemo(faults: string[]): { get(): DemoHandle } {
  let demo: DemoHandle | undefined;
  beforeAll(async () => {
    demo = await startDemo({ faults, env: CANARY, readyTimeoutMs: 180_000 });
  }, 200_000);
  afterAll(async () => {
    await demo?.stop();
  });
  return {
    get() {
      if (!demo) throw new Error('demo not started');
      return demo;
    },
  };
}

describe('uat stage on the healthy demo', () => {
  const demo = withDemo([]);
  let full: CollectingContext;

  it('passes every flow, with stable ids, severities and allure results', async () => {
    full = await runUat(demo.get());
    const checks = byId(full.checks);
    expect(Object.keys(checks).sort()).toEqual(Object.values(IDS).sort());
    for (const c of full.checks) expect([c.id, c.status, c.attempts]).toEqual([c.id, 'passed', 1]);
    expect(checks[IDS.render]?.severity).toBe('critical');
    expect(checks[IDS.write]?.severity).toBe('critical');
    expect(checks[IDS.flags]?.severity).toBe('major');
    expect(checks[IDS.render]?.tags).toEqual(expect.arrayContaining(['@uat', '@render', '@critical']));

    const allure = join(full.runDir, 'allure-results');
    const env = readFileSync(join(allure, 'environment.properties'), 'utf8');
    expect(env).toContain(`baseUrl=${demo.get().baseUrl}`);
    expect(env).toContain('deployId=e2e-deploy');
    expect(env).toContain('version=1.4.0');
    const categories = JSON.parse(readFileSync(join(allure, 'categories.json'), 'utf8')) as Array<{ name: string }>;
    expect(categories.map((c) => c.name)).toEqual(expect.arrayContaining(['Product failures', 'Environment problems']));
    expect(readdirSync(allure).filter((f) => f.endsWith('-result.json')).length).toBeGreaterThanOrEqual(5);
    expect(full.artifacts.some((a) => a.kind === 'allure' && a.path === 'allure-results')).toBe(true);
  }, 300_000);

  it('--grep narrows the run, and a selection matching nothing emits no checks', async () => {
    const render = await runUat(demo.get(), { grep: '@render' });
    expect(render.checks.map((c) => [c.id, c.status])).toEqual([[IDS.render, 'passed']]);
    const none = await runUat(demo.get(), { grep: '@no-such-tag' });
    expect(none.checks).toEqual([]);
  }, 300_000);

  it('two shards give the same check ids and statuses as the unsharded run', async () => {
    const one = await runUat(demo.get(), { shard: { index: 1, total: 2 } });
    const two = await runUat(demo.get(), { shard: { index: 2, total: 2 } });
    expect(one.checks.length).toBeGreaterThan(0);
    expect(two.checks.length).toBeGreaterThan(0);
    const merged = [...one.checks, ...two.checks].map((c) => `${c.id}=${c.status}`).sort();
    expect(merged).toEqual(full.checks.map((c) => `${c.id}=${c.status}`).sort());
  }, 300_000);

  it('an aborted stage stops the runner and its browsers and returns what it had', async () => {
    const ctx = await makeStageContext({
      target: { environment: 'demo', baseUrl: demo.get().baseUrl, apiUrl: demo.get().apiUrl },
      secrets: CANARY,
      config: { stages: { uat: { allure: false } } },
    });
    const emit = ctx.emit.bind(ctx);
    ctx.emit = (e) => {
      emit(e);
      if (e.type === 'check') ctx.abort(); // the first result arrives: pull the plug
    };
    await uatStage.run(ctx);
    expect(ctx.checks.length).toBeGreaterThan(0);
    expect(ctx.checks.length).toBeLessThan(5);
    expect(ctx.checks.map((c) => c.id)).not.toContain(IDS.render);
  }, 300_000);

  it('renews a stored session that has expired instead of failing the flow', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'pdv-session-'));
    try {
      const stateDir = join(scratch, 'state');
      const stale = { cookies: [{ name: 'sid', value: 'expired-session-token', domain: '127.0.0.1', path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Lax' }], origins: [] };
      await mkdir(stateDir, { recursive: true });
      await writeFile(join(stateDir, 'viewer.json'), JSON.stringify(stale));
      const d = demo.get();
      const target: PwTarget = {
        runId: 'session-test', environment: 'demo', baseUrl: d.baseUrl, apiUrl: d.apiUrl, stateDir, outputDir: join(scratch, 'out'),
        credentials: DEMO_CREDENTIALS, testDirs: {}, vars: {}, trace: 'off', screenshot: 'off',
      };
      const checks: string[] = [];
      // --no-deps: skip the setup project, so the stale session is what the flow starts with.
      const run = await runPlaywright({
        configFile: PLAYWRIGHT_CONFIG, cwd: REPO, projects: ['uat'], grep: '@roles', extraArgs: ['--no-deps'], retries: 0,
        bridgeFile: join(scratch, 'bridge.jsonl'), stage: 'uat', baseEnv: process.env, env: { ...CANARY, [TARGET_ENV]: JSON.stringify(target) },
        signal: new AbortController().signal, onCheck: (r) => checks.push(`${r.check.id}=${r.check.status}`),
      });
      expect(run.end?.selected).toBe(2);
      expect(checks.sort()).toEqual([`${IDS.browse}=passed`, `${IDS.write}=passed`]);
      const renewed = JSON.parse(await readFile(join(stateDir, 'viewer.json'), 'utf8')) as { cookies: Array<{ name: string; value: string }> };
      expect(renewed.cookies.find((c) => c.name === 'sid')?.value).not.toBe('expired-session-token');
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('uat stage: render-stuck', () => {
  const demo = withDemo(['render-stuck']);

  it('fails the render flow; the other flows pass', async () => {
    const ctx = await runUat(demo.get(), { grep: '@render|@roles' });
    const checks = byId(ctx.checks);
    expect(checks[IDS.render]).toMatchObject({ status: 'failed', severity: 'critical', attempts: 2 });
    expect(checks[IDS.render]?.message).toMatch(/render should finish/);
    expect(checks[IDS.write]?.status).toBe('passed');
  }, 300_000);
});

// The fault runs go through the real CLI (`pdv demo --fault … --stage uat`): the stage, the
// policy, the reports and the exit code together, one demo each.
describe('pdv demo --stage uat (the real CLI)', () => {
  it('broken-login + viewer-can-write → rollback, exit 1, reasons name both checks, screenshot in verdict.json', async () => {
    const out = await mkdtemp(join(tmpdir(), 'pdv-cli-uat-'));
    try {
      const res = await runCli(['demo', '--fault', 'broken-login', '--fault', 'viewer-can-write', '--stage', 'uat', '--out', out], { env: CANARY });
      expect(res.code, res.stderr).toBe(1);
      const verdict = readVerdict(out);
      expect(verdict.verdict).toBe('rollback');
      expect(verdict.reasons.map((r) => r.checkId)).toEqual(expect.arrayContaining([IDS.render, IDS.write]));
      const render = verdict.checks.find((c) => c.id === IDS.render);
      expect(render).toMatchObject({ status: 'failed', severity: 'critical', attempts: 2 });
      expect(render?.message).toMatch(/login form/);
      const files = render?.evidence.filter((e) => e.kind === 'file') ?? [];
      expect(files.some((e) => e.path?.endsWith('.png')), 'a screenshot is attached').toBe(true);
      expect(files.some((e) => e.path?.endsWith('.zip')), 'the retry trace is attached').toBe(true);
      for (const f of files) expect(existsSync(join(out, f.path ?? 'missing'))).toBe(true);
      expect(verdict.artifacts.map((a) => a.kind)).toEqual(expect.arrayContaining(['screenshot', 'trace', 'allure']));
      const write = verdict.checks.find((c) => c.id === IDS.write);
      expect(write).toMatchObject({ status: 'failed', severity: 'critical' });
      expect(write?.message).toContain('201');
      expect(verdict.checks.find((c) => c.id === IDS.flags)?.status).toBe('passed');

      // Canary passwords: nowhere in the run folder, traces and Allure attachments included.
      const scan = await findSecrets(out, Object.values(CANARY));
      expect(scan.zipsScanned, 'traces were searched').toBeGreaterThan(0);
      expect(scan.hits).toEqual([]);
      expect(res.stdout + res.stderr).not.toMatch(/canary-/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 400_000);

  it('flaky-ui → stand, exit 0, the render flow listed as a flaky warning with 2 attempts', async () => {
    const out = await mkdtemp(join(tmpdir(), 'pdv-cli-uat-'));
    try {
      const res = await runCli(['demo', '--fault', 'flaky-ui', '--stage', 'uat', '--out', out], { env: CANARY });
      expect(res.code, res.stderr).toBe(0);
      const verdict = readVerdict(out);
      expect(verdict.verdict).toBe('stand');
      expect(verdict.warnings.map((w) => [w.checkId, w.status])).toContainEqual([IDS.render, 'flaky']);
      expect(verdict.checks.find((c) => c.id === IDS.render)).toMatchObject({ status: 'flaky', attempts: 2 });
      expect(verdict.checks.find((c) => c.id === IDS.render)?.message).toMatch(/passed on attempt 2/);
      // Allure: the passing retry is marked flaky (allure-js does not do it itself).
      const allure = join(out, 'allure-results');
      const results = readdirSync(allure)
        .filter((f) => f.endsWith('-result.json'))
        .map((f) => JSON.parse(readFileSync(join(allure, f), 'utf8')) as { status: string; statusDetails?: { flaky?: boolean } });
      expect(results.filter((r) => r.status === 'passed' && r.statusDetails?.flaky === true)).toHaveLength(1);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 400_000);
});
