import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { EventLog, readEvents } from '../core/eventlog.ts';
import { orchestrate, type OrchestratorInput } from './orchestrate.ts';
import { Redactor } from '../core/redact.ts';
import type { Stage, StageContext } from '../stages/stage.ts';
import type { CheckResult } from '../core/types.ts';
import { buildVerdict } from '../core/verdict.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pdv-orch-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function config(): ResolvedConfig {
  const base = configSchema.parse({ environments: { staging: { baseUrl: 'http://127.0.0.1:1' } } });
  return { ...base, rootDir: dir, environmentName: 'staging', environment: base.environments.staging!, runtime: {} };
}

const pass = (stage: string, slug = 'ok', extra: Partial<CheckResult> = {}): CheckResult => ({
  id: `${stage}.${slug}`,
  stage,
  title: slug,
  severity: 'major',
  status: 'passed',
  durationMs: 1,
  attempts: 1,
  evidence: [],
  ...extra,
});

function stage(name: string, run: (ctx: StageContext) => Promise<void>): { name: string; load: () => Promise<Stage>; timeoutMs: number } {
  return { name, load: async () => ({ name, description: name, run }), timeoutMs: 10_000 };
}

async function go(stages: OrchestratorInput['stages'], extra: Partial<OrchestratorInput> = {}) {
  const redactor = new Redactor([['PW', 'hunter2-canary']]);
  const log = new EventLog(join(dir, 'events.jsonl'), redactor);
  const cfg = config();
  log.append({ type: 'run.start', at: new Date().toISOString(), runId: 'r1', command: 'test', target: { environment: 'staging', baseUrl: 'http://x' }, plan: stages.map((s) => s.name), required: stages.map((s) => s.name), partial: false });
  const result = await orchestrate({
    runId: 'r1',
    runDir: dir,
    config: cfg,
    target: { environment: 'staging', baseUrl: 'http://x' },
    stages,
    log,
    redactor,
    secrets: new Map(),
    signal: new AbortController().signal,
    deadlineMs: 60_000,
    failFast: true,
    graceMs: 50,
    ...extra,
  });
  log.append({ type: 'run.end', at: new Date().toISOString(), interrupted: result.interrupted, ...(result.reason ? { reason: result.reason } : {}) });
  log.close();
  const report = buildVerdict(readEvents(join(dir, 'events.jsonl')), { majorBudget: 0, flakyAsFailed: false, overrides: [], quarantine: [] });
  return { result, report };
}

describe('orchestrate', () => {
  it('runs every stage in order and stands when all pass', async () => {
    const order: string[] = [];
    const { report } = await go([
      stage('smoke', async (ctx) => {
        order.push('smoke');
        ctx.check(pass('smoke'));
      }),
      stage('uat', async (ctx) => {
        order.push('uat');
        ctx.check(pass('uat'));
      }),
    ]);
    expect(order).toEqual(['smoke', 'uat']);
    expect(report.verdict).toBe('stand');
    expect(report.stages.map((s) => s.status)).toEqual(['passed', 'passed']);
  });

  it('fails fast: a failed critical check skips the later stages and the verdict is rollback', async () => {
    let uatRan = false;
    const { report } = await go([
      stage('smoke', async (ctx) => ctx.check(pass('smoke', 'health', { severity: 'critical', status: 'failed', message: 'health 503' }))),
      stage('uat', async () => {
        uatRan = true;
      }),
    ]);
    expect(uatRan).toBe(false);
    expect(report.verdict).toBe('rollback');
    expect(report.reasons.map((r) => r.checkId)).toEqual(['smoke.health']);
    expect(report.stages[1]).toMatchObject({ name: 'uat', status: 'skipped' });
  });

  it('a stage over its timeout is stopped, its work is errored and the verdict is hold', async () => {
    const slow = { ...stage('load', (ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()))), timeoutMs: 30 };
    const { report } = await go([slow, stage('dr', async (ctx) => ctx.check(pass('dr')))]);
    expect(report.verdict).toBe('hold');
    expect(report.stages[0]).toMatchObject({ name: 'load', status: 'timedout' });
    expect(report.checks.find((c) => c.id === 'load.incomplete')?.status).toBe('errored');
    expect(report.stages[1]?.status).toBe('passed'); // a stage timeout does not stop the run
  });

  it('a stage that ignores its signal is abandoned after the grace period', async () => {
    const stuck = { ...stage('metrics', () => new Promise<void>(() => {})), timeoutMs: 20 };
    const { report } = await go([stuck]);
    expect(report.stages[0]?.status).toBe('timedout');
    expect(report.verdict).toBe('hold');
  });

  it('SIGINT keeps what was gathered, marks the rest interrupted, and holds', async () => {
    const controller = new AbortController();
    const { report, result } = await go(
      [
        stage('smoke', async (ctx) => ctx.check(pass('smoke'))),
        stage('uat', async (ctx) => {
          ctx.check(pass('uat', 'first'));
          controller.abort();
          await new Promise((r) => setTimeout(r, 10));
        }),
        stage('security', async (ctx) => ctx.check(pass('security'))),
      ],
      { signal: controller.signal },
    );
    expect(result.interrupted).toBe(true);
    expect(report.verdict).toBe('hold');
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['smoke.ok', 'uat.first']));
    expect(report.stages.map((s) => s.status)).toEqual(['passed', 'interrupted', 'interrupted']);
  });

  it('the global deadline stops the run and holds', async () => {
    const { report } = await go(
      [stage('smoke', (ctx) => new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r()))), stage('uat', async (ctx) => ctx.check(pass('uat')))],
      { deadlineMs: 30 },
    );
    expect(report.verdict).toBe('hold');
    expect(report.stages.map((s) => s.status)).toEqual(['timedout', 'interrupted']);
    expect(report.checks.some((c) => c.id === 'uat.ok')).toBe(false);
  });

  it('a crashing stage becomes an errored check (never stand)', async () => {
    const { report } = await go([stage('security', async () => Promise.reject(new Error('boom')))]);
    expect(report.verdict).toBe('hold');
    expect(report.checks[0]).toMatchObject({ id: 'security.harness', status: 'errored' });
    expect(report.checks[0]?.message).toContain('boom');
  });

  it('redacts secrets in emitted checks before they reach the event log', async () => {
    await go([stage('smoke', async (ctx) => ctx.check(pass('smoke', 'login', { message: 'logged in with hunter2-canary' })))]);
    const text = readFileSync(join(dir, 'events.jsonl'), 'utf8');
    expect(text).not.toContain('hunter2-canary');
    expect(text).toContain('[REDACTED:PW]');
  });

  it('fail-fast honours policy overrides (a dry-run critical does not stop the run)', async () => {
    let uatRan = false;
    const cfg = config();
    cfg.policy.overrides = [{ match: 'smoke.*', dryRun: true }];
    await go(
      [
        stage('smoke', async (ctx) => ctx.check(pass('smoke', 'x', { severity: 'critical', status: 'failed' }))),
        stage('uat', async () => {
          uatRan = true;
        }),
      ],
      { config: cfg },
    );
    expect(uatRan).toBe(true);
  });

  // Issue 13 item 9: a stage is not `passed` on checks that gave no evidence.
  it.each([
    ['every check errored', ['errored', 'errored'], 'errored'],
    ['some errored, the rest passed', ['passed', 'errored'], 'errored'],
    ['some errored, the rest skipped', ['skipped', 'errored'], 'errored'],
    ['failed wins over errored', ['errored', 'failed', 'passed'], 'failed'],
    ['every check skipped', ['skipped', 'skipped'], 'skipped'],
    ['passed beside skipped', ['passed', 'skipped'], 'passed'],
    ['flaky and passed', ['flaky', 'passed'], 'passed'],
  ] as const)('stage status when %s: %s', async (_name, statuses, expected) => {
    const { report } = await go([stage('dr', async (ctx) => statuses.forEach((status, i) => ctx.check(pass('dr', `c${i}`, { status }))))]);
    expect(report.stages[0]?.status).toBe(expected);
  });
});
