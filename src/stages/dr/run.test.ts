import { afterAll, describe, expect, it, vi } from 'vitest';
import { makeStageContext, removeStageDirs } from '../../../e2e/helpers/stage-context.ts';
import { EvidenceError } from '../../core/errors.ts';
import type { CheckResult } from '../../core/types.ts';
import type { RestoreDriver } from '../../dr/types.ts';

// Only evidence about the backup and the restore may fail a DR check. A
// browser that cannot start (PDV_CHROMIUM pointing at nothing) makes the
// smoke stage's browser checks errored; the DR check built from them must
// be errored too (→ hold), never failed (→ rollback).

const smokeResults: { current: CheckResult[] } = { current: [] };
vi.mock('../smoke/run.ts', () => ({ runSmoke: vi.fn(async () => smokeResults.current) }));
const { runDr } = await import('./run.ts');

afterAll(removeStageDirs);

const check = (id: string, status: CheckResult['status'], message = ''): CheckResult => ({ id, stage: 'dr', title: id, severity: 'critical', status, message, durationMs: 0, attempts: 1, evidence: [] });

/** A driver that "restores" instantly; the restore itself is not under test here. */
function fakeDriver(over: Partial<RestoreDriver> = {}): RestoreDriver {
  return {
    kind: 'pglite',
    locate: async () => ({ id: '/backups/x.tar.gz', createdAt: new Date(), details: {} }),
    verifyArchive: async () => ({ ok: true, message: 'reads' }),
    restore: async () => ({ db: { query: async () => ({ rows: [] }) }, app: { placeholders: { dataDir: '/tmp/x' }, env: {} }, close: async () => undefined }),
    drop: async () => undefined,
    listScratch: async () => [],
    ...over,
  };
}

/** A restored "app": prints the ready line and serves 200 until stopped. */
const APP = [
  process.execPath,
  '-e',
  `const s = require('node:http').createServer((q, r) => r.end('{"status":"ok"}')); s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ event: 'ready', baseUrl: 'http://127.0.0.1:' + s.address().port })));`,
];

async function run(smoke: CheckResult[], driver = fakeDriver()) {
  smokeResults.current = smoke;
  const ctx = await makeStageContext({
    target: { environment: 'test', baseUrl: 'http://127.0.0.1:9' },
    config: { stages: { dr: { driver: 'pglite', source: { folder: 'b' }, app: { command: APP, startTimeout: '20s' } } } },
  });
  await runDr(ctx, { driver });
  return Object.fromEntries(ctx.checks.map((c) => [c.id, c]));
}

describe('dr: the app on the restored data', () => {
  it('a smoke whose browser could not start (errored checks only) is errored, not failed', async () => {
    const byId = await run([check('dr.restored-smoke.readiness', 'passed'), check('dr.restored-smoke.home-page', 'errored', 'browserType.launch: Failed to launch chromium: /nonexistent/chromium')]);
    expect(byId['dr.app-on-restored-data']?.status, byId['dr.app-on-restored-data']?.message).toBe('errored');
    expect(byId['dr.app-on-restored-data']?.message).toContain('chromium');
    expect(byId['dr.cleanup']?.status).toBe('passed');
  }, 30_000);

  it('a smoke check that failed on the restored app is a failure (evidence)', async () => {
    const byId = await run([check('dr.restored-smoke.readiness', 'passed'), check('dr.restored-smoke.home-page', 'failed', 'no h1'), check('dr.restored-smoke.api', 'errored', 'x')]);
    expect(byId['dr.app-on-restored-data']?.status).toBe('failed');
  }, 30_000);

  it('a smoke that passed passes', async () => {
    const byId = await run([check('dr.restored-smoke.readiness', 'passed'), check('dr.restored-smoke.home-page', 'passed')]);
    expect(byId['dr.app-on-restored-data']?.status).toBe('passed');
  }, 30_000);

  it('a smoke with no passed check (all skipped) gives no evidence: errored', async () => {
    const byId = await run([check('dr.restored-smoke.home-page', 'skipped')]);
    expect(byId['dr.app-on-restored-data']?.status).toBe('errored');
  }, 30_000);

  it('a scratch server the harness cannot reach makes the restore errored, not failed', async () => {
    const byId = await run([], fakeDriver({ restore: async () => Promise.reject(new EvidenceError('cannot reach the scratch database server: connect ECONNREFUSED 127.0.0.1:1')) }));
    expect(byId['dr.restore']?.status).toBe('errored');
    expect(byId['dr.restore']?.message).toContain('ECONNREFUSED');
    expect(byId['dr.migration-version']?.status).toBe('skipped');
  });
});

describe('dr: scratch copies of other runs', () => {
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  it('a copy younger than the stage timeout is in use by a run in progress, not a leftover; older or undated ones are', async () => {
    const listScratch = async () => [
      { name: 'pdv_dr_running', runId: 'running', createdAt: ago(5_000) },
      { name: 'pdv_dr_old', runId: 'old', createdAt: ago(2 * 3_600_000) },
      { name: 'pdv_dr_undated', runId: 'undated' },
    ];
    const byId = await run([check('dr.restored-smoke.readiness', 'passed')], fakeDriver({ listScratch }));
    expect(byId['dr.leftovers']?.status).toBe('failed');
    expect(byId['dr.leftovers']?.message).toMatch(/^2 scratch copies from earlier runs: pdv_dr_old, pdv_dr_undated .*1 in use by a DR run in progress.*pdv_dr_running/);
  }, 30_000);

  it('only a run in progress beside it: passed, and said', async () => {
    const byId = await run([check('dr.restored-smoke.readiness', 'passed')], fakeDriver({ listScratch: async () => [{ name: 'pdv_dr_running', runId: 'running', createdAt: ago(1_000) }] }));
    expect(byId['dr.leftovers']?.status).toBe('passed');
    expect(byId['dr.leftovers']?.message).toContain('1 in use by a DR run in progress');
  }, 30_000);
});

