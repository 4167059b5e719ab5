import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureConfig } from '../actions/_testing.ts';
import { ledgerPath } from '../actions/ledger.ts';
import { afterVerdict } from './after-verdict.ts';
import { collectSecrets } from '../config/load.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { UsageError } from '../core/errors.ts';
import type { CheckResult, VerdictReport } from '../core/types.ts';
import { validateVerdict } from '../reporters/schema.ts';
import type { Task } from './tasks.ts';
import { actionsTasks, runVerification, type VerifyOptions, type VerifyRun } from './verify.ts';
import { Redactor } from '../core/redact.ts';
import { stageBase } from '../core/schema.ts';
import { defineStage } from '../stages/stage.ts';

let dir: string;
// The markdown reporter appends to $GITHUB_STEP_SUMMARY: never to CI's real one from here.
const savedStepSummary = process.env.GITHUB_STEP_SUMMARY;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pdv-verify-'));
  delete process.env.GITHUB_STEP_SUMMARY;
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (savedStepSummary === undefined) delete process.env.GITHUB_STEP_SUMMARY;
  else process.env.GITHUB_STEP_SUMMARY = savedStepSummary;
});

const health = (status: CheckResult['status']): CheckResult => ({ id: 'smoke.health', stage: 'smoke', title: 'health', severity: 'critical', status, message: `health ${status}`, durationMs: 1, attempts: 1, evidence: [] });

function config(env: Record<string, unknown> = {}): ResolvedConfig {
  return { ...fixtureConfig(env, { reportsDir: join(dir, 'reports') }, dir), deployId: 'deploy-7' };
}

function verify(out: string, extra: Partial<VerifyOptions> = {}, actions?: Array<Task<VerifyRun>>) {
  return runVerification({ config: config(), stages: [], preChecks: [health('passed')], command: 'verify', partial: false, secrets: new Map(), out, signal: new AbortController().signal, ...extra }, actions);
}

/** An actions task that only notes it ran. */
function probe(): { ran: boolean; tasks: Array<Task<VerifyRun>> } {
  const p = { ran: false, tasks: [] as Array<Task<VerifyRun>> };
  p.tasks.push({ title: 'actions (probe)', setup: async () => void (p.ran = true) });
  return p;
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('--out reuse (issue 13 item 6)', () => {
  it('a second run into the same --out is refused before anything is written', async () => {
    const out = join(dir, 'run');
    await verify(out);
    const before = readFileSync(join(out, 'events.jsonl'), 'utf8');
    const mtime = statSync(join(out, 'events.jsonl')).mtimeMs;
    const actions = probe();
    const err = await verify(out, {}, actions.tasks).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(`--out: ${out} already holds a run (events.jsonl); choose a new folder`);
    expect(readFileSync(join(out, 'events.jsonl'), 'utf8')).toBe(before);
    expect(statSync(join(out, 'events.jsonl')).mtimeMs).toBe(mtime);
    expect(actions.ran).toBe(false);
  });

  it('an existing folder without a run in it is fine', async () => {
    const out = join(dir, 'empty');
    mkdirSync(out);
    const { report } = await verify(out);
    expect(report.verdict).toBe('stand');
  });
});

describe('verdict.json cannot be written (issue 13 item 5)', () => {
  it('no report and no step summary claims a verdict, no action fires, and the run fails (hold)', async () => {
    const out = join(dir, 'run');
    mkdirSync(join(out, 'verdict.json', 'in-the-way'), { recursive: true }); // rename onto a folder fails, even as root
    const step = join(dir, 'step-summary.md');
    process.env.GITHUB_STEP_SUMMARY = step;
    const actions = probe();
    const err = await verify(out, { preChecks: [health('failed')] }, actions.tasks).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/failed to record its verdict.*treat the run as hold/);
    expect(actions.ran).toBe(false); // pdv never acts on a verdict it could not record
    for (const f of [join(out, 'summary.md'), join(out, 'junit.xml'), join(out, 'index.html'), step]) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).toMatch(/failed to record its verdict/);
      expect(text, f).not.toMatch(/ROLLBACK|\bSTAND\b|\bstands\b/);
    }
  });
});

describe('rollback command output is redacted (issue 13 item 10)', () => {
  const SECRET = 'pdv-canary-7f3e9a1c5b2d4e6'; // 26 bytes: base64 of it and of it + newline differ at the end
  const saved = process.env.PDV_TEST_ROLLBACK_SECRET;
  beforeEach(() => {
    process.env.PDV_TEST_ROLLBACK_SECRET = SECRET;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.PDV_TEST_ROLLBACK_SECRET;
    else process.env.PDV_TEST_ROLLBACK_SECRET = saved;
  });

  it.each([
    ['echoed', `sh -c 'echo $PDV_TEST_ROLLBACK_SECRET'`],
    ['echoed through base64', `sh -c 'echo $PDV_TEST_ROLLBACK_SECRET | base64'`],
    ['as hex', `sh -c 'printf %s "$PDV_TEST_ROLLBACK_SECRET" | od -An -tx1 | tr -d " \\n"; echo'`],
    ['cut by the output tail', `sh -c 'printf %s "$PDV_TEST_ROLLBACK_SECRET"; head -c 1985 /dev/zero | tr "\\0" x; echo; exit 1'`],
  ])('a rollback command whose output has the secret %s leaves it nowhere in the run folder or the ledger', async (_name, command) => {
    const cfg = config({ secretEnv: ['PDV_TEST_ROLLBACK_SECRET'], rollback: { actions: [{ type: 'command', command, retries: 0 }], verify: { enabled: false } } });
    const secrets = collectSecrets(cfg, process.env);
    const signal = new AbortController().signal;
    const out = join(dir, 'run');
    const { report } = await runVerification(
      { config: cfg, stages: [], preChecks: [health('failed')], command: 'verify', partial: false, secrets, out, signal },
      actionsTasks({ dryRun: false, stageSteps: true }),
    );
    expect(report.verdict).toBe('rollback');
    expect(report.actions.map((a) => a.kind)).toContain('rollback'); // the command did run
    const ledger = ledgerPath(cfg.reportsDir, 'staging', 'deploy-7');
    expect(existsSync(ledger)).toBe(true);
    const leaks = [SECRET, Buffer.from(`${SECRET}\n`).toString('base64').slice(0, 24), Buffer.from(SECRET).toString('hex').slice(0, 24)];
    // Any 10 characters of the secret in a row count as a leak (a tail cut in the middle of it).
    for (let i = 0; i + 10 <= SECRET.length; i++) leaks.push(SECRET.slice(i, i + 10));
    for (const f of [...filesUnder(out), ledger]) {
      const text = readFileSync(f, 'utf8');
      for (const leak of leaks) expect(text.includes(leak), `${f} contains ${leak}`).toBe(false);
    }
  });
});


describe('after the verdict', () => {
  it('runs the after-verdict step of each stage that ran, not of one that was skipped', async () => {
    const calls: string[] = [];
    const stage = (name: string, order: number) =>
      defineStage({
        name,
        description: `${name} (fixture)`,
        configSchema: stageBase,
        isConfigured: () => true,
        order,
        plan: async () => {},
        run: async () => {},
        afterVerdict: async () => void calls.push(name),
      });
    const cfg: ResolvedConfig = { ...config(), pluginStages: [stage('alpha', 80), stage('beta', 81)] };
    const signal = new AbortController().signal;
    const { report } = await verify(join(dir, 'run'), { config: cfg });
    const ran = { ...report, stages: [{ name: 'alpha', status: 'passed' as const, durationMs: 1 }, { name: 'beta', status: 'skipped' as const, durationMs: 0 }] };
    await afterVerdict({ report: ran, config: cfg, runId: report.runId, runDir: join(dir, 'run'), redactor: new Redactor(), secrets: new Map(), signal, dryRun: true, stageSteps: true, record: () => {} });
    expect(calls).toEqual(['alpha']);
  });
});

describe('a report that cannot be written after verdict.json (issue 23, the record rule)', () => {
  it('is a warning in every file that could be written, and the verdict (and so the exit code) stays the recorded one', async () => {
    const out = join(dir, 'run');
    mkdirSync(join(out, 'index.html', 'in-the-way'), { recursive: true }); // rename onto a folder fails, even as root
    const step = join(dir, 'step-summary.md');
    process.env.GITHUB_STEP_SUMMARY = step;
    const acted = probe();
    const { report, warnings } = await verify(out, { preChecks: [health('failed')] }, acted.tasks);
    expect(acted.ran).toBe(true);
    expect(report.verdict).toBe('rollback');
    expect(warnings).toEqual([expect.stringMatching(/^part of this run's record could not be written: index\.html: E/)]);
    const recorded = JSON.parse(readFileSync(join(out, 'verdict.json'), 'utf8')) as VerdictReport;
    expect(recorded.verdict).toBe('rollback');
    expect(recorded.recordWarnings).toEqual([expect.stringMatching(/^index\.html: E/)]);
    expect(validateVerdict(recorded)).toEqual({ ok: true });
    for (const f of [join(out, 'summary.md'), step]) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).toMatch(/part of this run's record could not be written: index\.html: E/);
      // Appended once, when the record is complete: one verdict, the recorded one.
      expect(text.match(/^## pdv verdict.*$/gm), f).toEqual([expect.stringMatching(/^## pdv verdict: \[ROLLBACK\]/)]);
    }
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/name="pdv.recordWarning" value="part of this run&apos;s record could not be written: index\.html: E/);
  });

  it('a step summary that cannot be appended is said in summary.md and verdict.json, and the verdict stands', async () => {
    const out = join(dir, 'run');
    const step = join(dir, 'step-summary-is-a-folder');
    mkdirSync(step);
    process.env.GITHUB_STEP_SUMMARY = step;
    const { report, warnings } = await verify(out, {}, probe().tasks);
    expect(report.verdict).toBe('stand');
    expect(warnings).toEqual([expect.stringMatching(/^part of this run's record could not be written: \$GITHUB_STEP_SUMMARY: EISDIR/)]);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/part of this run's record could not be written: \$GITHUB\\_STEP\\_SUMMARY: EISDIR/);
    const recorded = JSON.parse(readFileSync(join(out, 'verdict.json'), 'utf8')) as VerdictReport;
    expect(recorded.verdict).toBe('stand');
    expect(recorded.recordWarnings).toEqual([expect.stringMatching(/^\$GITHUB_STEP_SUMMARY: EISDIR/)]);
  });

  it('a run whose whole record was written carries no record warnings', async () => {
    const out = join(dir, 'clean');
    const { report, warnings } = await verify(out, {}, probe().tasks);
    expect(warnings).toEqual([]);
    expect(report.recordWarnings).toBeUndefined();
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).not.toMatch(/could not be written/);
  });
});
