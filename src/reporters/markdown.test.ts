import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CASES, failedRollbackReport, holdReport, hostileReport, partialReport, report, rollbackReport, warningsReport } from './_fixtures.ts';
import { buildSummaryMarkdown, markdownReporter, mdEscape } from './markdown.ts';
import { reportContext } from './multiplexer.ts';

describe('buildSummaryMarkdown', () => {
  it.each([
    ['stand', report(), '## pdv verdict: [STAND] — staging'],
    ['rollback', rollbackReport, '## pdv verdict: [ROLLBACK] — staging'],
    ['hold', holdReport, '## pdv verdict: [HOLD] — staging'],
    ['partial', partialReport, '## pdv verdict: [STAND] (partial run) — staging'],
  ])('starts with a clear verdict line: %s', (_n, r, line) => {
    expect(buildSummaryMarkdown(r).split('\n')[0]).toBe(line);
  });

  it.each(CASES)('has no emoji: %s', (_n, r) => {
    expect(buildSummaryMarkdown(r)).not.toMatch(/\p{Extended_Pictographic}/u);
  });

  it('shows environment, versions and deploy', () => {
    const md = buildSummaryMarkdown(report());
    expect(md).toContain('| Version | expected 1.4.2, observed 1.4.2 |');
    expect(md).toContain('| Deploy | deploy-77 |');
  });

  it('lists reasons most severe first, each naming its check', () => {
    const md = buildSummaryMarkdown(rollbackReport);
    const reasons = md.split('### Reasons')[1]!.split('###')[0]!;
    const lines = reasons.split('\n').filter((l) => l.startsWith('1. '));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^1\. \*\*critical\*\* `smoke.health` failed → rollback: GET \/health/);
    expect(lines[1]).toMatch(/`smoke.favicon` failed → warn/);
  });

  it('lists flaky, warn-failure, quarantined and dry-run warnings', () => {
    const md = buildSummaryMarkdown(warningsReport);
    const warnings = md.split('### Warnings')[1]!.split('###')[0]!;
    expect(warnings).toContain('[warn] `security.headers`');
    expect(warnings).toContain('[flaky] `uat.upload`');
    expect(warnings).toMatch(/\[quarantined\] `uat.render`: failed, quarantined by qa-team until 2026-12-01/);
    expect(warnings).toMatch(/\[dry-run\] `load.p99`: failed in dry-run mode/);
    // Excused checks are warnings, not failures; a warn-level failure is still a failure.
    const failed = md.split('### Failed and errored checks')[1]!;
    expect(failed).toContain('`security.headers`');
    expect(failed).not.toContain('`uat.render`');
    expect(failed).not.toContain('`load.p99`');
  });

  it('has a stage table with durations and the failed checks with evidence links and attempts', () => {
    const md = buildSummaryMarkdown(rollbackReport);
    expect(md).toContain('| smoke | failed | 900 ms | 3 (2 not passed) |');
    expect(md).toContain('| uat | skipped (skipped: fail fast) | 0 ms | 0 (0 not passed) |');
    expect(md).toContain('- `smoke.health` **Deep health is ok** — failed, critical, 3 attempts');
    expect(md).toContain('  - evidence: [screenshot](smoke/health.png)');
    expect(md).toContain('| Checks | 1 passed, 2 failed, 0 errored, 0 flaky, 0 skipped; 2 retries |');
  });

  it('puts a failed rollback action first', () => {
    const md = buildSummaryMarkdown(failedRollbackReport);
    const lines = md.split('\n');
    expect(lines[2]).toMatch(/^> \*\*\[ACTION FAILED\] rollback github-workflow: workflow dispatch failed/);
    expect(md).toContain('| rollback github-workflow | **FAILED** | 2 |');
  });

  it('escapes values from the target', () => {
    const md = buildSummaryMarkdown(hostileReport);
    expect(md).not.toContain('<script>');
    expect(md).toContain('\\<script\\>alert(1)\\</script\\>');
    expect(mdEscape('a|b\nc')).toBe('a\\|b c');
  });
});

describe('markdownReporter and $GITHUB_STEP_SUMMARY', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('writes summary.md and appends to the step summary file, keeping what was there', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pdv-md-'));
    const stepSummary = join(dir, 'step-summary.md');
    await writeFile(stepSummary, '# earlier step\n');
    const reporter = markdownReporter({ env: { GITHUB_STEP_SUMMARY: stepSummary } });
    const written = await reporter.write(rollbackReport, reportContext(join(dir, 'run')));
    expect(written).toEqual(['summary.md']);
    const own = await readFile(join(dir, 'run', 'summary.md'), 'utf8');
    const appended = await readFile(stepSummary, 'utf8');
    expect(appended.startsWith('# earlier step\n')).toBe(true);
    expect(appended).toContain(own);
  });

  it('does not touch anything else when GITHUB_STEP_SUMMARY is unset', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pdv-md-'));
    const written = await markdownReporter({ env: {} }).write(report(), reportContext(dir));
    expect(written).toEqual(['summary.md']);
  });
});
