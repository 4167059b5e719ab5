import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { applyDemoDr, demoDrStage } from '../demo/backup.ts';
import { collectSecrets, loadConfig } from '../src/config/load.ts';
import { DEMO_CONFIG } from '../demo/job.ts';
import { planStages } from '../src/jobs/plan.ts';
import { runVerification } from '../src/jobs/verify.ts';
import { startDemo } from '../demo/launch.ts';
import { policy } from '../src/core/policy.ts';
import type { CheckResult } from '../src/core/types.ts';
import { runDr } from '../src/stages/dr/run.ts';
import { makeStageContext } from './helpers/stage-context.ts';

// The DR stage against the real demo: the demo takes its startup backup
// (with a DR fault or none), the stage restores it into a fresh PGlite, starts
// a second demo on the restored data and smokes it. Expected verdicts come
// from the policy, as in `pdv demo --fault NAME`.

const PASSWORDS = {
  DEMO_ADMIN_PASSWORD: `adm-${randomBytes(8).toString('hex')}`,
  DEMO_EDITOR_PASSWORD: `edi-${randomBytes(8).toString('hex')}`,
  DEMO_VIEWER_PASSWORD: `vie-${randomBytes(8).toString('hex')}`,
};

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pdv-dr-e2e-'));
  // The restored demo inherits the environment, as `pdv demo` runs it.
  Object.assign(process.env, PASSWORDS);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Fault cases smoke the restored app with probes (fast); the healthy case runs the smoke stage's checks. */
async function runAgainstDemo(fault?: string, smoke: 'smoke' | 'probes' = fault ? 'probes' : 'smoke') {
  const name = fault ?? 'healthy';
  const backupDir = join(work, name, 'backups');
  const scratchDir = join(work, name, 'scratch');
  const demo = await startDemo({ faults: fault ? [fault] : [], env: { ...PASSWORDS, DATABASE_URL: '' }, backupDir });
  try {
    const ctx = await makeStageContext({
      target: { environment: 'demo', baseUrl: demo.baseUrl },
      secrets: PASSWORDS,
      config: { stages: { dr: { ...demoDrStage(backupDir, { smoke }), scratchDir } } },
      runDir: join(work, name, 'run'),
    });
    await runDr(ctx);
    const checks: CheckResult[] = ctx.checks;
    const verdict = policy({ checks, stages: [{ name: 'dr', status: 'passed', durationMs: 0 }], required: ['dr'] });
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    const left = await readdir(scratchDir).catch(() => []);
    return { ctx, byId, verdict, left };
  } finally {
    await demo.stop();
  }
}

// Each case starts two demos (the deployment and the restored copy): minutes on a busy machine.
describe('dr stage against the demo', { timeout: 300_000 }, () => {
  it('PDV_CHROMIUM pointing at nothing: the restored-app smoke is errored → hold, never rollback', async () => {
    const saved = process.env.PDV_CHROMIUM;
    process.env.PDV_CHROMIUM = '/nonexistent/chromium';
    try {
      const { byId, verdict, left } = await runAgainstDemo(undefined, 'smoke');
      expect(byId['dr.restore']?.status).toBe('passed');
      expect(byId['dr.app-on-restored-data']?.status, byId['dr.app-on-restored-data']?.message).toBe('errored');
      expect(byId['dr.app-on-restored-data']?.message).toMatch(/chromium|browser/i);
      expect(verdict.verdict).toBe('hold');
      expect(left).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.PDV_CHROMIUM;
      else process.env.PDV_CHROMIUM = saved;
    }
  });

  it('healthy: the backup restores, the app works on it, RPO/RTO measured → stand', async () => {
    const { byId, verdict, left, ctx } = await runAgainstDemo();
    for (const id of ['dr.backup-found', 'dr.rpo', 'dr.archive-reads', 'dr.restore', 'dr.migration-version', 'dr.row-counts', 'dr.checksums', 'dr.app-on-restored-data', 'dr.rto', 'dr.cleanup']) {
      expect(byId[id]?.status, `${id}: ${byId[id]?.message}`).toBe('passed');
    }
    expect(byId['dr.app-on-restored-data']?.message).toMatch(/passed smoke: \d+ smoke check\(s\) passed/);
    expect(verdict.verdict).toBe('stand');
    expect(left).toEqual([]);
    const extra = ctx.events.find((e) => e.type === 'extra' && e.key === 'dr');
    const value = (extra as { value: { phases: Array<{ name: string }>; rtoMs: number; rpoMs: number } }).value;
    expect(value.phases.map((p) => p.name)).toEqual(['locate', 'archive', 'restore', 'validate', 'start', 'smoke', 'cleanup']);
    expect(value.rtoMs).toBeGreaterThan(0);
    expect(JSON.stringify(ctx.events)).not.toContain(PASSWORDS.DEMO_EDITOR_PASSWORD);
  });

  it('corrupt-backup: the archive check fails → rollback, and no scratch copy is left', async () => {
    const { byId, verdict, left } = await runAgainstDemo('corrupt-backup');
    expect(byId['dr.archive-reads']?.status).toBe('failed');
    expect(byId['dr.restore']?.status).toBe('skipped');
    expect(verdict.verdict).toBe('rollback');
    expect(verdict.reasons[0]?.checkId).toBe('dr.archive-reads');
    expect(left).toEqual([]);
  });

  it('stale-backup: RPO over target → hold, with the age in the reason', async () => {
    const { byId, verdict } = await runAgainstDemo('stale-backup');
    expect(byId['dr.rpo']).toMatchObject({ status: 'failed', onFail: 'hold' });
    expect(byId['dr.restore']?.status).toBe('passed');
    expect(verdict.verdict).toBe('hold');
    expect(byId['dr.app-on-restored-data']?.message).toContain('/api/projects → 200');
    const reason = verdict.reasons.find((r) => r.checkId === 'dr.rpo');
    expect(reason?.message).toMatch(/backup is 3d 0h old \(RPO target 1d 0h\)/);
  });

  it('migration-mismatch: the restored schema is one migration behind → rollback', async () => {
    const { byId, verdict } = await runAgainstDemo('migration-mismatch');
    expect(byId['dr.migration-version']?.status).toBe('failed');
    expect(byId['dr.migration-version']?.message).toContain('restored schema at migration 001_init, the release expects 002_render_jobs_project_idx');
    expect(verdict.verdict).toBe('rollback');
  });

  it('missing-rows: a critical table lost rows → rollback', async () => {
    const { byId, verdict, left } = await runAgainstDemo('missing-rows');
    expect(byId['dr.row-counts']?.status).toBe('failed');
    expect(byId['dr.row-counts']?.message).toContain('projects 3 rows, manifest 4');
    expect(verdict.verdict).toBe('rollback');
    expect(left).toEqual([]);
  });

  it('through the run pipeline (as `pdv demo --stage dr` once wired): verdict.json carries the DR reason, extras and the HTML section', async () => {
    const backupDir = join(work, 'pipeline', 'backups');
    const demo = await startDemo({ faults: ['stale-backup'], env: { ...PASSWORDS, DATABASE_URL: '' }, backupDir });
    try {
      const config = await loadConfig({ config: DEMO_CONFIG, env: 'demo', baseUrl: demo.baseUrl, apiUrl: demo.apiUrl });
      config.reportsDir = join(work, 'pipeline', 'reports');
      applyDemoDr(config, backupDir);
      if (config.stages.dr.app) config.stages.dr.app.smoke = 'probes';
      config.stages.dr.scratchDir = join(work, 'pipeline', 'scratch');
      const { report, runDir } = await runVerification({
        config,
        stages: planStages(config, ['dr']),
        command: 'demo --fault stale-backup',
        partial: true,
        secrets: collectSecrets(config),
        signal: new AbortController().signal,
      });
      expect(report.verdict).toBe('hold');
      expect(report.reasons[0]).toMatchObject({ checkId: 'dr.rpo', effect: 'hold' });
      expect(report.reasons[0]?.message).toContain('3d 0h old');
      const dr = report.extras.dr as { rpoMs: number; rtoMs: number; phases: unknown[] };
      expect(dr.rpoMs).toBeGreaterThan(86_400_000);
      expect(dr.phases.length).toBe(7);
      const html = await readFile(join(runDir, 'index.html'), 'utf8');
      expect(html).toContain('Disaster recovery');
      expect(await readdir(join(work, 'pipeline', 'scratch'))).toEqual([]);
    } finally {
      await demo.stop();
    }
  });

  it('aborted (stage timeout / SIGINT) while the restored app runs: the app is stopped and the scratch copy removed', async () => {
    const backupDir = join(work, 'abort', 'backups');
    const scratchDir = join(work, 'abort', 'scratch');
    const demo = await startDemo({ env: { ...PASSWORDS, DATABASE_URL: '' }, backupDir });
    try {
      const ctx = await makeStageContext({
        target: { environment: 'demo', baseUrl: demo.baseUrl },
        secrets: PASSWORDS,
        config: { stages: { dr: { ...demoDrStage(backupDir, { smoke: 'probes' }), scratchDir } } },
        runDir: join(work, 'abort', 'run'),
      });
      // Abort as soon as the checks on the restored copy are in: the app is starting.
      const emit = ctx.emit.bind(ctx);
      ctx.emit = (e) => {
        emit(e);
        if (e.type === 'check' && e.check.id === 'dr.checksums') setTimeout(() => ctx.abort(), 500);
      };
      await runDr(ctx);
      const byId = Object.fromEntries(ctx.checks.map((c) => [c.id, c]));
      expect(byId['dr.app-on-restored-data']?.status).toBe('errored');
      expect(byId['dr.rto']?.status).toBe('skipped');
      expect(byId['dr.cleanup']?.status).toBe('passed');
      expect(await readdir(scratchDir)).toEqual([]);
      const verdict = policy({ checks: ctx.checks, stages: [{ name: 'dr', status: 'interrupted', durationMs: 0 }], required: ['dr'] });
      expect(verdict.verdict).toBe('hold');
    } finally {
      await demo.stop();
    }
  });
});
