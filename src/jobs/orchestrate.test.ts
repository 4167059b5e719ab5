import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { UsageError } from '../core/errors.ts';
import { EventLog, readEvents } from '../platform/eventlog.ts';
import { orchestrate, type OrchestratorInput } from './orchestrate.ts';
import { Redactor } from '../core/redact.ts';
import { stageBase } from '../core/schema.ts';
import { defineStage, type StageContext } from '../stages/stage.ts';
import type { CheckResult } from '../core/types.ts';
import { buildVerdict } from '../core/verdict.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pdv-orch-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function config(): ResolvedConfig {
  const base = configSchema.parse({ environments: { staging: { baseUrl: 'http://127.0.0.1:1' } } });
  return { ...base, rootDir: dir, environmentName: 'staging', environment: base.environments.staging!, runtime: {}, env: process.env };
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
}) as CheckResult;

type Planned = OrchestratorInput['stages'][number];

function stage(name: string, run: (ctx: StageContext) => Promise<void>, flags: { alone?: boolean; dependsOn?: readonly string[] } = {}): Planned {
  const definition = defineStage({ name, description: name, configSchema: stageBase, isConfigured: () => true, order: 0, run, ...flags });
  return { name, stage: definition, config: stageBase.parse({}), timeoutMs: 10_000 };
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

  it('a failed check a stage gives without a message (a stage in JavaScript) is recorded with one', async () => {
    const bare = { id: 'smoke.bare', stage: 'smoke', title: 'bare', severity: 'minor', status: 'failed', durationMs: 1, attempts: 1, evidence: [] } as unknown as CheckResult;
    const { report } = await go([stage('smoke', async (ctx) => ctx.check(bare))]);
    expect(report.checks[0]?.message).toBe('smoke.bare failed; its stage gave no reason');
    expect(report.warnings.map((w) => w.message)).toEqual(['smoke.bare failed; its stage gave no reason']);
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

// Issue 17 item 3: stages side by side after smoke; a stage that runs alone, alone.
// Issue 26 item 1: the flags are what the stages declare (alone, dependsOn), the schedule data (schedule.test.ts).
describe('orchestrate in parallel', () => {
  const parallel = { parallel: true, maxParallel: 3 } as const;
  const events = () => readEvents(join(dir, 'events.jsonl'));
  /** "start:x" / "end:x" in log order. */
  const timeline = () =>
    events().flatMap((e) => (e.type === 'stage.start' ? [`start:${e.stage}`] : e.type === 'stage.end' ? [`end:${e.stage.name}`] : []));
  const before = (order: string[], a: string, b: string) => order.indexOf(a) >= 0 && order.indexOf(a) < order.indexOf(b);
  /** Resolves when `open()` is called, or when the stage's signal aborts (so a wrong schedule fails instead of hanging). */
  function latch() {
    let open!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    return { open, wait: (signal: AbortSignal) => Promise.race([opened, new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))]) };
  }
  const tick = () => new Promise((r) => setTimeout(r, 5));

  it('runs the stages after smoke side by side: each waits for the other to have started', async () => {
    const uatSaw = latch();
    const securitySaw = latch();
    const { report } = await go(
      [
        stage('smoke', async (ctx) => ctx.check(pass('smoke')), { alone: true, dependsOn: [] }),
        stage('uat', async (ctx) => {
          uatSaw.open();
          await securitySaw.wait(ctx.signal);
          ctx.check(pass('uat'));
        }),
        stage('security', async (ctx) => {
          securitySaw.open();
          await uatSaw.wait(ctx.signal);
          ctx.check(pass('security'));
        }),
      ],
      parallel,
    );
    const order = timeline();
    expect(order.slice(0, 2)).toEqual(['start:smoke', 'end:smoke']); // smoke first, alone
    expect(before(order, 'start:security', 'end:uat')).toBe(true);
    expect(before(order, 'start:uat', 'end:security')).toBe(true);
    expect(report.verdict).toBe('stand');
    expect(report.stages.map((s) => [s.name, s.status])).toEqual([['smoke', 'passed'], ['uat', 'passed'], ['security', 'passed']]);
  });

  it('an alone stage waits for the running stages, and nothing starts while it runs', async () => {
    const { report } = await go(
      [
        stage('uat', async (ctx) => {
          await tick();
          ctx.check(pass('uat'));
        }),
        stage('security', async (ctx) => ctx.check(pass('security'))),
        stage('load', async (ctx) => {
          await tick();
          ctx.check(pass('load'));
        }, { alone: true }),
        stage('dr', async (ctx) => ctx.check(pass('dr'))),
        stage('metrics', async (ctx) => ctx.check(pass('metrics'))),
      ],
      parallel,
    );
    const order = timeline();
    expect(before(order, 'start:security', 'end:uat')).toBe(true); // the two before load overlapped
    expect(before(order, 'end:uat', 'start:load')).toBe(true);
    expect(before(order, 'end:security', 'start:load')).toBe(true);
    expect(order[order.indexOf('start:load') + 1]).toBe('end:load');
    expect(before(order, 'end:load', 'start:dr')).toBe(true);
    expect(report.verdict).toBe('stand');
  });

  it('a stage that depends on another (dependsOn) starts once that one has ended, even beside it in the plan', async () => {
    let uatDone = false;
    let sawUatDone: boolean | undefined;
    const { report } = await go(
      [
        stage('smoke', async (ctx) => ctx.check(pass('smoke')), { alone: true, dependsOn: [] }),
        stage('uat', async (ctx) => {
          await tick();
          uatDone = true;
          ctx.check(pass('uat'));
        }),
        stage('security', async (ctx) => ctx.check(pass('security'))),
        stage('audit', async (ctx) => {
          sawUatDone = uatDone;
          ctx.check(pass('audit'));
        }, { dependsOn: ['smoke', 'uat'] }),
      ],
      parallel,
    );
    expect(sawUatDone).toBe(true);
    expect(before(timeline(), 'end:uat', 'start:audit')).toBe(true);
    expect(report.stages.map((s) => [s.name, s.status])).toEqual([['smoke', 'passed'], ['uat', 'passed'], ['security', 'passed'], ['audit', 'passed']]);
  });

  it('never runs more than maxParallel stages at once', async () => {
    let now = 0;
    let most = 0;
    const busy = (name: string) =>
      stage(name, async (ctx) => {
        most = Math.max(most, ++now);
        await tick();
        now -= 1;
        ctx.check(pass(name));
      });
    const { report } = await go([busy('a'), busy('b'), busy('c'), busy('d'), busy('e')], { parallel: true, maxParallel: 2 });
    expect(most).toBe(2);
    const order = timeline();
    // In plan order: c starts only once a or b has ended.
    expect(Math.min(order.indexOf('end:a'), order.indexOf('end:b'))).toBeLessThan(order.indexOf('start:c'));
    expect(report.stages.every((s) => s.status === 'passed')).toBe(true);
  });

  it('fail-fast stops the stages running beside the failure (their teardown runs) and skips the rest', async () => {
    const securityStarted = latch();
    let tornDown = false;
    let metricsRan = false;
    const { report, result } = await go(
      [
        stage('smoke', async (ctx) => ctx.check(pass('smoke')), { alone: true, dependsOn: [] }),
        stage('uat', async (ctx) => {
          await securityStarted.wait(ctx.signal);
          ctx.check(pass('uat', 'login', { severity: 'critical', status: 'failed', message: 'login broken' }));
          ctx.check(pass('uat', 'after'));
        }),
        stage('security', async (ctx) => {
          try {
            ctx.check(pass('security', 'first'));
            securityStarted.open();
            await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r(), { once: true }));
            // A request cut short by the stop is no evidence about the target.
            ctx.check(pass('security', 'cut-short', { severity: 'critical', status: 'failed' }));
          } finally {
            tornDown = true;
          }
        }),
        stage('metrics', async () => {
          metricsRan = true;
        }),
      ],
      { parallel: true, maxParallel: 2 },
    );
    expect(tornDown).toBe(true);
    expect(metricsRan).toBe(false);
    expect(result.interrupted).toBe(false);
    expect(result.reason).toBe('skipped: fail-fast after critical check uat.login failed');
    expect(report.verdict).toBe('rollback');
    expect(report.reasons.map((r) => r.checkId)).toEqual(['uat.login']);
    expect(report.stages.map((s) => [s.name, s.status])).toEqual([
      ['smoke', 'passed'],
      ['uat', 'failed'],
      ['security', 'skipped'],
      ['metrics', 'skipped'],
    ]);
    expect(report.stages[2]?.message).toBe('stopped: fail-fast after critical check uat.login failed');
    // The stage that found the failure finishes its own work; the stopped one is not missing evidence.
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['uat.after', 'security.first']));
    expect(report.checks.some((c) => c.id.endsWith('.incomplete') || c.id === 'security.cut-short')).toBe(false);
  });

  it('a critical failure in a later stage lets the stages before it in the plan finish, as one by one would', async () => {
    const failed = latch();
    const { report } = await go(
      [
        stage('uat', async (ctx) => {
          await failed.wait(ctx.signal);
          await tick();
          ctx.check(pass('uat', 'after'));
        }),
        stage('security', async (ctx) => {
          ctx.check(pass('security', 'exposed-env', { severity: 'critical', status: 'failed' }));
          failed.open();
        }),
        stage('metrics', async (ctx) => ctx.check(pass('metrics'))),
      ],
      { parallel: true, maxParallel: 2 },
    );
    expect(report.stages.map((s) => [s.name, s.status])).toEqual([['uat', 'passed'], ['security', 'failed'], ['metrics', 'skipped']]);
    expect(report.checks.map((c) => c.id)).toContain('uat.after');
    expect(report.reasons.map((r) => r.checkId)).toEqual(['security.exposed-env']);
  });

  it('each stage’s status comes from its own checks when their checks interleave', async () => {
    const uatChecked = latch();
    const securityChecked = latch();
    const { report } = await go(
      [
        stage('uat', async (ctx) => {
          ctx.check(pass('uat', 'a'));
          uatChecked.open();
          await securityChecked.wait(ctx.signal);
          ctx.check(pass('uat', 'b'));
        }),
        stage('security', async (ctx) => {
          await uatChecked.wait(ctx.signal);
          ctx.check(pass('security', 'x', { severity: 'minor', status: 'failed' }));
          securityChecked.open();
          await tick();
          ctx.check(pass('security', 'y', { status: 'errored' }));
        }),
        stage('metrics', async (ctx) => ctx.check(pass('metrics', 'z', { status: 'skipped' }))),
      ],
      parallel,
    );
    const checks = events().flatMap((e) => (e.type === 'check' ? [e.check.id] : []));
    expect(checks.indexOf('security.x')).toBeLessThan(checks.indexOf('uat.b')); // they did interleave
    expect(report.stages.map((s) => [s.name, s.status])).toEqual([['uat', 'passed'], ['security', 'failed'], ['metrics', 'skipped']]);
  });

  it('runs one stage at a time with parallel: false', async () => {
    let now = 0;
    let most = 0;
    const busy = (name: string) =>
      stage(name, async (ctx) => {
        most = Math.max(most, ++now);
        await tick();
        now -= 1;
        ctx.check(pass(name));
      });
    await go([busy('smoke'), busy('uat'), busy('security'), busy('metrics')], { parallel: false, maxParallel: 3 });
    expect(most).toBe(1);
    expect(timeline()).toEqual(['start:smoke', 'end:smoke', 'start:uat', 'end:uat', 'start:security', 'end:security', 'start:metrics', 'end:metrics']);
  });

  it('SIGINT stops every running stage (each interrupted, with its incomplete check) and holds', async () => {
    const controller = new AbortController();
    const waitForAbort = (name: string) =>
      stage(name, async (ctx) => {
        ctx.check(pass(name));
        if (name === 'security') setTimeout(() => controller.abort(), 5);
        await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r(), { once: true }));
      });
    const { report, result } = await go([waitForAbort('uat'), waitForAbort('security'), waitForAbort('metrics'), stage('dr', async (ctx) => ctx.check(pass('dr')))], {
      ...parallel,
      signal: controller.signal,
    });
    expect(result.interrupted).toBe(true);
    expect(report.verdict).toBe('hold');
    expect(report.stages.map((s) => s.status)).toEqual(['interrupted', 'interrupted', 'interrupted', 'interrupted']);
    expect(report.checks.filter((c) => c.id.endsWith('.incomplete')).map((c) => c.stage).sort()).toEqual(['metrics', 'security', 'uat']);
  });

  it('the config turns it on by default, at most 3 at once; maxParallel below 1 is refused naming the field', () => {
    expect(config()).toMatchObject({ parallel: true, maxParallel: 3 });
    const bad = configSchema.safeParse({ environments: { staging: { baseUrl: 'http://127.0.0.1:1' } }, maxParallel: 0 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['maxParallel']);
  });

  it('a usage error in one stage stops the others, waits for their teardown, then ends the run', async () => {
    let tornDown = false;
    const run = go(
      [
        stage('uat', async () => {
          await tick();
          throw new UsageError('bad spec folder');
        }),
        stage('security', async (ctx) => {
          try {
            await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r(), { once: true }));
          } finally {
            tornDown = true;
          }
        }),
      ],
      parallel,
    );
    await expect(run).rejects.toThrow('bad spec folder');
    expect(tornDown).toBe(true);
  });

  // A stage that needs only smoke (dr) runs ahead of the alone one (load) beside the stages before it,
  // and the run still reports what one by one would.
  describe('a stage that runs ahead of its turn', () => {
    const ahead = { dependsOn: ['smoke'] };
    const at = (name: string, type: 'stage.start' | 'stage.end') =>
      Date.parse(events().find((e) => e.type === type && (type === 'stage.start' ? e.stage === name : e.type === 'stage.end' && e.stage.name === name))?.at ?? 'NaN');
    /** smoke (alone), uat, load (alone), dr (needs smoke), metrics: uat waits until dr has started, so they overlap. */
    function plan(opts: { loadCheck?: Partial<CheckResult>; drCheck?: Partial<CheckResult>; uatCheck?: Partial<CheckResult> } = {}) {
      const drStarted = latch();
      const seen = { drRan: false, drTornDown: false, metricsRan: false, loadRan: false, loadBesideDr: false };
      let drRunning = false;
      const stages = [
        stage('smoke', async (ctx) => ctx.check(pass('smoke')), { alone: true, dependsOn: [] }),
        stage('uat', async (ctx) => {
          await drStarted.wait(ctx.signal);
          await tick();
          ctx.check(pass('uat', 'ok', opts.uatCheck));
        }),
        stage('load', async (ctx) => {
          seen.loadRan = true;
          seen.loadBesideDr = drRunning;
          ctx.check(pass('load', 'ok', opts.loadCheck));
        }, { alone: true }),
        stage('dr', async (ctx) => {
          drRunning = true;
          seen.drRan = true;
          try {
            drStarted.open();
            ctx.check(pass('dr', 'ok', opts.drCheck));
            ctx.check(pass('dr', 'second'));
          } finally {
            drRunning = false;
            seen.drTornDown = true;
          }
        }, ahead),
        stage('metrics', async (ctx) => {
          seen.metricsRan = true;
          ctx.check(pass('metrics'));
        }),
      ];
      return { stages, seen };
    }
    const critical = { severity: 'critical', status: 'failed' } as const;
    const shape = (r: Awaited<ReturnType<typeof go>>['report']) => ({
      verdict: r.verdict,
      stages: r.stages.map((st) => [st.name, st.status, st.message]),
      checks: r.checks.map((c) => [c.id, c.status]).sort(),
    });
    /** The same plan one stage at a time: what the parallel run must report. */
    async function sequential(opts: Parameters<typeof plan>[0]) {
      const { report } = await go(plan(opts).stages.map((p) => (p.name === 'uat' ? stage('uat', async (ctx) => ctx.check(pass('uat', 'ok', opts?.uatCheck))) : p)), { parallel: false });
      rmSync(join(dir, 'events.jsonl'));
      return shape(report);
    }

    it('starts beside the stages before the alone one, never beside it; its events come in plan order', async () => {
      const { stages, seen } = plan();
      const { report } = await go(stages, parallel);
      expect(at('dr', 'stage.start')).toBeLessThan(at('uat', 'stage.end')); // ran ahead, beside uat
      expect(seen.loadBesideDr).toBe(false);
      expect(at('dr', 'stage.end')).toBeLessThanOrEqual(at('load', 'stage.start'));
      expect(timeline()).toEqual(['start:smoke', 'end:smoke', 'start:uat', 'end:uat', 'start:load', 'end:load', 'start:dr', 'end:dr', 'start:metrics', 'end:metrics']);
      expect(report.verdict).toBe('stand');
      expect(report.stages.map((st) => [st.name, st.status])).toEqual([['smoke', 'passed'], ['uat', 'passed'], ['load', 'passed'], ['dr', 'passed'], ['metrics', 'passed']]);
    });

    it('an alone stage before it that fails fast drops it: skipped with no checks, as one by one', async () => {
      const expected = await sequential({ loadCheck: critical });
      const { stages, seen } = plan({ loadCheck: critical });
      const { report, result } = await go(stages, parallel);
      expect(seen.drRan).toBe(true); // it did run ahead …
      expect(shape(report)).toEqual(expected); // … and the run reports what one by one does
      expect(report.stages.find((st) => st.name === 'dr')).toMatchObject({ status: 'skipped', message: 'skipped: fail-fast after critical check load.ok failed' });
      expect(report.checks.some((c) => c.stage === 'dr')).toBe(false);
      expect(result.reason).toBe('skipped: fail-fast after critical check load.ok failed');
    });

    it('its own critical failure skips the stages after it; the ones before it still run, as one by one', async () => {
      const expected = await sequential({ drCheck: critical });
      const { stages, seen } = plan({ drCheck: critical });
      const { report, result } = await go(stages, parallel);
      expect(seen.loadRan).toBe(true);
      expect(seen.metricsRan).toBe(false);
      expect(shape(report)).toEqual(expected);
      expect(report.reasons.map((r) => r.checkId)).toEqual(['dr.ok']);
      expect(result.reason).toBe('skipped: fail-fast after critical check dr.ok failed');
    });

    it('a stage before it that fails fast while it runs stops it (its teardown runs) and it is skipped', async () => {
      const expected = await sequential({ uatCheck: critical });
      const { stages, seen } = plan({ uatCheck: critical });
      const { report } = await go(stages, parallel);
      expect(seen.drTornDown).toBe(true);
      expect(seen.loadRan).toBe(false);
      expect(shape(report)).toEqual(expected);
    });

    it('never starts ahead of smoke, and runs in its turn when parallel is off or it declares no needs', async () => {
      const order: string[] = [];
      const mark = (name: string, flags: Parameters<typeof stage>[2] = {}) => stage(name, async (ctx) => void (order.push(name), ctx.check(pass(name))), flags);
      await go([mark('smoke', { alone: true, dependsOn: [] }), mark('load', { alone: true }), mark('dr', ahead)], parallel);
      expect(order).toEqual(['smoke', 'load', 'dr']); // load waited for nothing: dr had no one to run beside
      order.length = 0;
      rmSync(join(dir, 'events.jsonl'));
      const slowUat = stage('uat', async (ctx) => {
        await tick();
        order.push('uat');
        ctx.check(pass('uat'));
      });
      await go([mark('smoke', { alone: true, dependsOn: [] }), slowUat, mark('load', { alone: true }), mark('dr', ahead)], { parallel: false });
      expect(order).toEqual(['smoke', 'uat', 'load', 'dr']);
      order.length = 0;
      rmSync(join(dir, 'events.jsonl'));
      await go([mark('smoke', { alone: true, dependsOn: [] }), slowUat, mark('load', { alone: true }), mark('dr')], parallel);
      expect(order).toEqual(['smoke', 'uat', 'load', 'dr']);
      order.length = 0;
      rmSync(join(dir, 'events.jsonl'));
      await go([mark('smoke', { alone: true, dependsOn: [] }), slowUat, mark('load', { alone: true }), mark('dr', ahead)], parallel);
      expect(order).toEqual(['smoke', 'dr', 'uat', 'load']);
    });
  });
});
