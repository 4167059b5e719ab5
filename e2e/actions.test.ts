import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlueGreen, useBlueGreenRollback, type BlueGreen } from '../demo/bluegreen.ts';
import { recordingServer, type RecordingServer } from '../src/actions/_testing.ts';
import { verifySignature } from '../src/actions/hmac.ts';
import { runActions } from '../src/actions/index.ts';
import { lockPath } from '../src/actions/lock.ts';
import { Redactor } from '../src/core/redact.ts';
import { lockTask } from '../src/jobs/prepare.ts';
import { runTasks } from '../src/jobs/tasks.ts';
import { collectSecrets, loadConfig } from '../src/config/load.ts';
import type { ActionRecord, VerdictReport } from '../src/core/types.ts';
import { validateVerdict } from '../src/reporters/schema.ts';
import { DEMO_CONFIG } from '../demo/job.ts';
import { planStages } from '../src/jobs/plan.ts';
import { actionsTasks, newVerifyRun, outcomeOf, runTaskList } from '../src/jobs/verify.ts';
import { findSecrets } from './helpers/scan-secrets.ts';
import { readVerdict, runCli } from './helpers/cli.ts';

// The whole story on the demo: green (health-down) is verified → rollback →
// the rollback command switches the proxy back to blue → the post-rollback
// smoke passes on the previous version, and the report says so.

const root = mkdtempSync(join(tmpdir(), 'pdv-actions-e2e-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CANARIES = {
  DEMO_ADMIN_PASSWORD: 'canary-admin-Rb41',
  DEMO_EDITOR_PASSWORD: 'canary-editor-Mn62',
  DEMO_VIEWER_PASSWORD: 'canary-viewer-Jt93',
};
const SWITCH_TOKEN = 'canary-switch-token-Qv7Lp2';

describe('health-down on blue-green with a command rollback action', () => {
  let bg: BlueGreen;
  let report: VerdictReport;
  let runDir: string;
  let again: () => Promise<ActionRecord[]>;

  beforeAll(async () => {
    bg = await startBlueGreen({ faults: ['health-down'], env: { ...CANARIES, DEMO_SWITCH_TOKEN: SWITCH_TOKEN } });
    const environ = { ...process.env, ...CANARIES, ...bg.switchEnv };
    const config = await loadConfig({ config: DEMO_CONFIG, env: 'demo', baseUrl: bg.baseUrl, apiUrl: bg.apiUrl }, environ);
    config.reportsDir = join(root, 'reports');
    // What `pdv demo` does with blue-green; the rollback command inherits pdv's env (process.env).
    useBlueGreenRollback(config, bg);
    const secrets = collectSecrets(config, environ);
    expect(secrets.get('DEMO_SWITCH_TOKEN')).toBe(SWITCH_TOKEN);
    const signal = new AbortController().signal;
    // The tasks `pdv verify` runs after the plan check: the environment lock, the run, the post-verdict actions.
    const run = newVerifyRun({ config, stages: planStages(config, ['smoke']), command: 'verify', partial: false, secrets, signal, out: join(root, 'run') });
    await runTasks([lockTask(), ...runTaskList(actionsTasks({ dryRun: false, stageSteps: true }))], run);
    ({ report, runDir } = outcomeOf(run));
    again = () => runActions({ report: { ...report, runId: 'second-verify' }, config, runDir: join(root, 'run2'), reportsDir: config.reportsDir, redactor: new Redactor(secrets), dryRun: false, env: environ });
  }, 300_000);
  afterAll(async () => {
    delete process.env.DEMO_SWITCH_URL;
    delete process.env.DEMO_SWITCH_TOKEN;
    await bg?.stop();
  });

  it('the verdict is rollback, and the rollback command switched the live URL back to blue', () => {
    expect(report.verdict).toBe('rollback');
    expect(bg.active()).toBe('blue');
    const rollback = report.actions.find((a) => a.kind === 'rollback');
    expect(rollback).toMatchObject({ name: 'switch-to-blue', status: 'succeeded' });
    expect(rollback!.attempts[0]!.message).toMatch(/exit 0 — switched to blue/);
  });

  it('the post-rollback smoke ran on the previous version and says health was restored', () => {
    const verify = report.actions.find((a) => a.kind === 'post-rollback');
    expect(verify).toMatchObject({ status: 'succeeded', details: { healthRestored: true, observedVersion: bg.blue.version, previousVersion: bg.blue.version } });
    const smoke = verify!.details!.smoke as { total: number; failed: number; errored: number; checks: Array<{ id: string; status: string }> };
    expect(smoke.total).toBeGreaterThan(1);
    expect(smoke.failed + smoke.errored).toBe(0);
    expect(smoke.checks.map((c) => c.id)).toContain('smoke.post-rollback.readiness');
  });

  it('verdict.json (valid against the schema) and index.html carry the actions; no secret anywhere', async () => {
    const onDisk = readVerdict(runDir);
    expect(validateVerdict(onDisk)).toEqual({ ok: true });
    expect(onDisk.actions.map((a) => `${a.kind}:${a.status}`)).toEqual(['rollback:succeeded', 'post-rollback:succeeded']);
    const html = readFileSync(join(runDir, 'index.html'), 'utf8');
    expect(html).toContain('id="actions"');
    expect(html).toContain('switch-to-blue');
    expect(html).toContain('Health restored');
    const { hits } = await findSecrets(root, [SWITCH_TOKEN, ...Object.values(CANARIES)]);
    expect(hits).toEqual([]);
  });

  it('a second verify of the same deploy does not fire the rollback again', async () => {
    expect(bg.switches()).toBe(1);
    const records = await again();
    expect(records[0]).toMatchObject({ kind: 'rollback', status: 'skipped' });
    expect(records[0]!.message).toMatch(/already fired by run .* \(succeeded\); not fired again/);
    expect(bg.switches()).toBe(1);
    expect(existsSync(join(root, 'reports', '.pdv', 'actions', 'demo', `${bg.deployId}.json`))).toBe(true);
  });
});

// `pdv demo --blue-green` runs the rollback command (demo/job.ts): the same story on the real CLI.
describe('pdv demo --fault health-down (real CLI)', () => {
  it('exits 1 with the rollback and the post-rollback smoke in the report', async () => {
    const out = join(root, 'cli-run');
    const result = await runCli(['demo', '--blue-green', '--fault', 'health-down', '--out', out], { env: { ...CANARIES, DEMO_SWITCH_TOKEN: SWITCH_TOKEN }, timeoutMs: 280_000 });
    expect(result.code, result.stderr).toBe(1);
    const v = readVerdict(out);
    expect(v.verdict).toBe('rollback');
    expect(v.actions.find((a) => a.kind === 'rollback')).toMatchObject({ status: 'succeeded' });
    expect(v.actions.find((a) => a.kind === 'post-rollback')).toMatchObject({ status: 'succeeded', details: { healthRestored: true } });
    expect((await findSecrets(out, [SWITCH_TOKEN, ...Object.values(CANARIES)])).hits).toEqual([]);
  }, 300_000);
});

// `pdv verify` on the real CLI against a target that is down (verdict
// rollback, no browser needed), with a signed webhook rollback action served
// by a recording server: retried, fired once per deploy id, dry-run fires
// nothing, secrets stay out of every file; the environment lock holds.

describe('pdv verify with a webhook rollback action', () => {
  const HMAC = 'cli-hmac-secret-Wd83kq';
  const HOOK_PATH = '/rollback/secret-path-Lm29xa';
  let cliDir: string;
  let hook: RecordingServer;
  let refusedPort: number;
  let cfg: string;

  beforeAll(async () => {
    cliDir = mkdtempSync(join(tmpdir(), 'pdv-actions-cli-'));
    hook = await recordingServer((n) => (n === 1 ? 500 : 200));
    const s: Server = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    refusedPort = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    cfg = join(cliDir, 'pdv.config.ts');
    writeFileSync(
      cfg,
      `export default {
    environments: {
      staging: {
        baseUrl: 'http://127.0.0.1:${refusedPort}',
        expectedVersion: '2.0.0',
        version: { path: '/version', field: 'version' },
        rollback: {
          actions: [{ type: 'webhook', name: 'rollback-hook', urlEnv: 'HOOK_URL', secretEnv: 'HOOK_SECRET', backoff: 50, retries: 2 }],
          verify: { enabled: false },
        },
      },
    },
    stageOrder: ['smoke'],
    stages: { smoke: { readiness: { timeout: '2s', interval: 100, refusedGrace: 500 } } },
    lockTimeout: '1s',
  };
  `,
    );
  });
  afterAll(async () => {
    await hook.close();
    rmSync(cliDir, { recursive: true, force: true });
  });

  const env = () => ({ HOOK_URL: hook.url + HOOK_PATH, HOOK_SECRET: HMAC });
  const verify = (args: string[]) => runCli(['verify', '--config', cfg, ...args], { cwd: cliDir, env: env() });

  it('rolls back through the webhook, retrying a 500, signed, recorded in verdict.json and the reports', async () => {
    const r = await verify(['--deploy-id', 'd-1', '--out', join(cliDir, 'run1')]);
    expect(r.code, r.stderr).toBe(1);
    expect(hook.received).toHaveLength(2);
    const last = hook.received[1]!;
    expect(last.url).toBe(HOOK_PATH);
    expect(verifySignature(HMAC, last.body, last.headers['x-pdv-signature'] as string)).toBe(true);
    expect(JSON.parse(last.body)).toMatchObject({ verdict: 'rollback', deployId: 'd-1', environment: 'staging' });
    const v = readVerdict(join(cliDir, 'run1'));
    expect(validateVerdict(v)).toEqual({ ok: true });
    expect(v.actions[0]).toMatchObject({ kind: 'rollback', name: 'rollback-hook', status: 'succeeded' });
    expect(v.actions[0]!.attempts.map((a) => a.ok)).toEqual([false, true]);
    expect(readFileSync(join(cliDir, 'run1', 'summary.md'), 'utf8')).toContain('rollback rollback-hook');
    expect(readFileSync(join(cliDir, 'run1', 'index.html'), 'utf8')).toContain('rollback-hook');
  });

  it('a second verify of the same deploy id does not fire again', async () => {
    const r = await verify(['--deploy-id', 'd-1', '--out', join(cliDir, 'run2')]);
    expect(r.code).toBe(1);
    expect(hook.received).toHaveLength(2);
    expect(readVerdict(join(cliDir, 'run2')).actions[0]).toMatchObject({ status: 'skipped', message: expect.stringContaining('already fired') });
  });

  it('--dry-run records what would be done and fires nothing', async () => {
    const r = await verify(['--deploy-id', 'd-2', '--dry-run', '--out', join(cliDir, 'run3')]);
    expect(r.code).toBe(1);
    expect(hook.received).toHaveLength(2);
    expect(readVerdict(join(cliDir, 'run3')).actions[0]).toMatchObject({ status: 'dry-run', message: expect.stringMatching(/^Would POST/) });
    expect(existsSync(join(cliDir, 'reports', '.pdv', 'actions', 'staging', 'd-2.json'))).toBe(false);
  });

  it('no secret (HMAC key, webhook URL) in any file pdv wrote or printed', async () => {
    const { hits, filesScanned } = await findSecrets(cliDir, [HMAC, 'secret-path-Lm29xa']);
    expect(filesScanned).toBeGreaterThan(5);
    // The config file names env vars only, so the whole folder must be clean.
    expect(hits).toEqual([]);
  });

  it('a verify while another holds the environment lock waits, then holds with the reason', async () => {
    const file = lockPath(join(cliDir, 'reports'), 'staging');
    mkdirSync(join(file, '..'), { recursive: true });
    // A live holder: this test process.
    writeFileSync(file, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), host: hostname(), runId: 'busy-run', token: 't' }));
    try {
      const r = await verify(['--deploy-id', 'd-3', '--out', join(cliDir, 'run4')]);
      expect(r.code).toBe(2);
      const v = readVerdict(join(cliDir, 'run4'));
      expect(v.verdict).toBe('hold');
      expect(v.reasons[0]!.message).toMatch(/busy-run/);
      expect(hook.received).toHaveLength(2);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
