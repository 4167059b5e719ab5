import { XMLValidator } from 'fast-xml-parser';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/core/events.ts';
import type { CheckResult } from '../src/core/types.ts';
import { validateVerdict } from '../src/reporters/schema.ts';
import { readVerdict, runCli } from './helpers/cli.ts';

// `pdv report <dir>` on the real CLI: a run folder holding only events.jsonl
// gets every report back, and the verdict is the one the events decide.

const at = '2026-11-26T04:00:00.000Z';
const end = '2026-11-26T04:00:03.000Z';
const c = (id: string, p: Partial<CheckResult> = {}): CheckResult => ({ id, stage: id.split('.')[0]!, title: id, severity: 'critical', status: 'passed', durationMs: 5, attempts: 1, evidence: [], ...p }) as CheckResult;

function events(health: CheckResult): RunEvent[] {
  return [
    { type: 'run.start', at, runId: 'r-e2e', command: 'verify', target: { environment: 'staging', baseUrl: 'http://127.0.0.1:9' }, plan: ['smoke'], required: ['smoke'], partial: false },
    { type: 'stage.start', at, stage: 'smoke' },
    { type: 'check', at, check: health },
    { type: 'check', at, check: c('smoke.flags', { status: 'flaky', attempts: 2, severity: 'major' }) },
    { type: 'stage.end', at: end, stage: { name: 'smoke', status: health.status === 'passed' ? 'passed' : 'failed', durationMs: 3000 } },
    { type: 'run.end', at: end, interrupted: false },
  ];
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function runFolder(evs: RunEvent[]): string {
  dir = mkdtempSync(join(tmpdir(), 'pdv-e2e-report-'));
  const run = join(dir, 'run');
  mkdirSync(run);
  writeFileSync(join(run, 'events.jsonl'), evs.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return run;
}

describe('pdv report <dir>', () => {
  it.each([
    ['stand', c('smoke.health'), 0],
    ['rollback', c('smoke.health', { status: 'failed', message: 'GET /health → 503 <script>x</script>' }), 1],
    ['hold', c('smoke.health', { status: 'errored', message: 'connection refused' }), 2],
  ])('re-renders every report from events.jsonl: %s', async (verdict, health, code) => {
    const run = runFolder(events(health));
    const stepSummary = join(dir!, 'step-summary.md');
    const result = await runCli(['report', run], { env: { GITHUB_STEP_SUMMARY: stepSummary } });
    expect(result.code, result.stderr).toBe(code);
    expect(readdirSync(run).sort()).toEqual(['events.jsonl', 'index.html', 'junit.xml', 'summary.md', 'verdict.json']);

    const report = readVerdict(run);
    expect(validateVerdict(report)).toEqual({ ok: true });
    expect(report.verdict).toBe(verdict);
    expect(readFileSync(join(run, 'summary.md'), 'utf8')).toMatch(new RegExp(`^## pdv verdict: \\[${verdict.toUpperCase()}\\]`));
    expect(readFileSync(stepSummary, 'utf8')).toContain(`[${verdict.toUpperCase()}]`);
    expect(XMLValidator.validate(readFileSync(join(run, 'junit.xml'), 'utf8'))).toBe(true);
    const page = readFileSync(join(run, 'index.html'), 'utf8');
    expect(page).toContain(`data-verdict="${verdict}"`);
    expect(page).not.toContain('<script>x</script>');
  });

  it('gives the same verdict.json when run again', async () => {
    const run = runFolder(events(c('smoke.health', { status: 'failed' })));
    await runCli(['report', run]);
    const first = readFileSync(join(run, 'verdict.json'), 'utf8');
    await runCli(['report', run]);
    expect(readFileSync(join(run, 'verdict.json'), 'utf8')).toBe(first);
  });

  it('a folder without events.jsonl is a usage error (exit 3), nothing written', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pdv-e2e-report-'));
    const result = await runCli(['report', dir]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/events\.jsonl/);
    expect(existsSync(join(dir, 'verdict.json'))).toBe(false);
  });
});
