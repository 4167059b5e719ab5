import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type DemoHandle } from '../demo/launch.ts';
import { smokeStage } from '../src/stages/smoke/index.ts';
import { runSmoke } from '../src/stages/smoke/run.ts';
import type { CheckResult, Target } from '../src/core/types.ts';
import { makeStageContext, removeStageDirs } from './helpers/stage-context.ts';

// The run folders are test scratch: removed when the file is done.
afterAll(removeStageDirs);

const CANARY = {
  DEMO_ADMIN_PASSWORD: `adm-smoke-${process.pid}-Q1`,
  DEMO_EDITOR_PASSWORD: `edt-smoke-${process.pid}-Q2`,
  DEMO_VIEWER_PASSWORD: `vwr-smoke-${process.pid}-Q3`,
};

const SMOKE_IDS = ['smoke.readiness', 'smoke.deep-health', 'smoke.live-version', 'smoke.api-login', 'smoke.read-endpoints', 'smoke.home-page', 'smoke.feature-flags', 'smoke.integration-probe'];

function target(demo: { baseUrl: string; apiUrl?: string }): Target {
  return { environment: 'demo', baseUrl: demo.baseUrl, apiUrl: demo.apiUrl ?? demo.baseUrl, expectedVersion: '1.4.0' };
}

const byId = (checks: CheckResult[]): Record<string, CheckResult> => Object.fromEntries(checks.map((c) => [c.id, c]));

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('smoke stage on the healthy demo', () => {
  let demo: DemoHandle;
  beforeAll(async () => {
    demo = await startDemo({ env: CANARY, readyTimeoutMs: 180_000 });
  }, 200_000);
  afterAll(async () => demo?.stop());

  it('passes every smoke check and reports the observed version', async () => {
    const ctx = await makeStageContext({ target: target(demo), secrets: CANARY });
    await smokeStage.run(ctx);
    expect(ctx.checks.map((c) => c.id).sort()).toEqual([...SMOKE_IDS].sort());
    for (const c of ctx.checks) expect([c.id, c.status]).toEqual([c.id, 'passed']);
    const checks = byId(ctx.checks);
    expect(checks['smoke.deep-health']?.severity).toBe('critical');
    expect(checks['smoke.integration-probe']?.onFail).toBe('hold');
    expect(ctx.observations.observedVersion).toBe('1.4.0');
  }, 200_000);

  it('runSmoke returns checks under another prefix without emitting', async () => {
    const ctx = await makeStageContext({ target: target(demo), secrets: CANARY });
    const results = await runSmoke(ctx, target(demo), { idPrefix: 'dr.smoke' });
    expect(ctx.events).toEqual([]);
    expect(results.map((c) => c.id).sort()).toEqual(SMOKE_IDS.map((id) => id.replace(/^smoke\./, 'dr.smoke.')).sort());
    expect(new Set(results.map((c) => c.stage))).toEqual(new Set(['dr']));
  }, 200_000);
});

describe('smoke stage: stale-version + flag-drift + integration-down', () => {
  let demo: DemoHandle;
  beforeAll(async () => {
    demo = await startDemo({ faults: ['stale-version', 'flag-drift', 'integration-down'], env: CANARY, readyTimeoutMs: 180_000 });
  }, 200_000);
  afterAll(async () => demo?.stop());

  it('fails version and flags as critical, the integration probe as a hold', async () => {
    const ctx = await makeStageContext({ target: target(demo), secrets: CANARY });
    await smokeStage.run(ctx);
    const checks = byId(ctx.checks);
    expect(checks['smoke.live-version']).toMatchObject({ status: 'failed', severity: 'critical' });
    expect(checks['smoke.live-version']?.message).toContain('1.3.2');
    expect(ctx.observations.observedVersion).toBe('1.3.2');
    expect(checks['smoke.feature-flags']).toMatchObject({ status: 'failed', severity: 'critical' });
    expect(checks['smoke.feature-flags']?.message).toContain('ai-voiceover-beta');
    expect(checks['smoke.integration-probe']).toMatchObject({ status: 'failed', onFail: 'hold' });
    expect(checks['smoke.deep-health']?.status).toBe('passed');
  }, 200_000);
});

describe('smoke stage: unreachable or down targets fail fast, before Playwright', () => {
  it('health-down: one failed critical readiness check naming the health answer', async () => {
    const demo = await startDemo({ faults: ['health-down'], env: CANARY, readyTimeoutMs: 180_000 });
    try {
      const ctx = await makeStageContext({ target: target(demo), secrets: CANARY });
      await smokeStage.run(ctx);
      expect(ctx.checks).toHaveLength(1);
      expect(ctx.checks[0]).toMatchObject({ id: 'smoke.readiness', status: 'failed', severity: 'critical', attempts: 1 });
      expect(ctx.checks[0]?.message).toMatch(/says down .*database/);
    } finally {
      await demo.stop();
    }
  }, 200_000);

  it('slow-start: waits through "starting" and then passes', async () => {
    const demo = await startDemo({ faults: ['slow-start'], env: { ...CANARY, DEMO_SLOW_START_MS: '1500' }, readyTimeoutMs: 180_000 });
    try {
      const ctx = await makeStageContext({ target: target(demo), secrets: CANARY });
      const results = byId(await runSmoke(ctx, target(demo), { grep: 'deep health' }));
      // Health says "starting" for the first 1.5 s: the wait polls more than once, then the specs run.
      expect(results['smoke.readiness']?.status).toBe('passed');
      expect(results['smoke.readiness']?.attempts).toBeGreaterThan(1);
      expect(results['smoke.deep-health']?.status).toBe('passed');
    } finally {
      await demo.stop();
    }
  }, 200_000);

  it('connection refused: a failed critical check naming the URL', async () => {
    const port = await closedPort();
    const ctx = await makeStageContext({ target: { environment: 'demo', baseUrl: `http://127.0.0.1:${port}` }, secrets: CANARY });
    await smokeStage.run(ctx);
    expect(ctx.checks).toHaveLength(1);
    expect(ctx.checks[0]).toMatchObject({ id: 'smoke.readiness', status: 'failed', severity: 'critical' });
    expect(ctx.checks[0]?.message).toBe(`connection refused at http://127.0.0.1:${port}/health`);
  });

  it('DNS failure mid-run: an errored critical check at once (the harness could not resolve, hold — never rollback)', async () => {
    const ctx = await makeStageContext({ target: { environment: 'demo', baseUrl: 'http://pdv-smoke-e2e.invalid' }, secrets: CANARY });
    await smokeStage.run(ctx);
    expect(ctx.checks[0]).toMatchObject({ id: 'smoke.readiness', status: 'errored', attempts: 1 });
    expect(ctx.checks[0]?.message).toMatch(/DNS lookup failed/);
  });

  it('a browser that cannot start makes the browser check errored (missing evidence), not failed or passed', async () => {
    const server = createHttpServer((req, res) => {
      if (req.url === '/health') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","checks":{"database":"ok"}}');
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const saved = process.env.PDV_CHROMIUM;
    process.env.PDV_CHROMIUM = '/nonexistent/chromium';
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const ctx = await makeStageContext({ target: { environment: 'demo', baseUrl: url }, secrets: CANARY });
      const results = byId(await runSmoke(ctx, ctx.target, { grep: 'home page' }));
      expect(results['smoke.home-page']).toMatchObject({ status: 'errored', severity: 'major' });
    } finally {
      if (saved === undefined) delete process.env.PDV_CHROMIUM;
      else process.env.PDV_CHROMIUM = saved;
      await new Promise((r) => server.close(r));
    }
  }, 120_000);
});
