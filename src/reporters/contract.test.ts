import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../core/events.ts';
import type { CheckResult } from '../core/types.ts';
import { buildVerdict } from '../core/verdict.ts';
import { collectWarnings } from './format.ts';
import { buildHtml, buildJunitXml, buildSummaryMarkdown, buildVerdictJson, validateVerdict } from './index.ts';

// The lead's replay (core/verdict.ts) makes every VerdictReport: what it
// builds must pass the schema and every builder, including odd runs
// (interrupted, missing evidence, quarantine, an action, extras).

const at = '2026-11-26T10:00:00.000Z';
const later = '2026-11-26T10:00:04.500Z';
const c = (id: string, p: Partial<CheckResult> = {}): CheckResult => ({ id, stage: id.split('.')[0]!, title: id, severity: 'critical', status: 'passed', durationMs: 5, attempts: 1, evidence: [], ...p }) as CheckResult;
const start: RunEvent = { type: 'run.start', at, runId: 'r-1', command: 'verify', target: { environment: 'staging', baseUrl: 'http://127.0.0.1:9' }, plan: ['smoke', 'uat', 'load'], required: ['smoke', 'uat', 'load'], partial: false };
const opts = { majorBudget: 0, flakyAsFailed: false, overrides: [], quarantine: [{ checkId: 'uat.render', owner: 'qa', expires: '2099-01-01' }] };

const logs: Array<[string, RunEvent[]]> = [
  [
    'full run with failures, artifacts, extras and an action',
    [
      start,
      { type: 'stage.start', at, stage: 'smoke' },
      { type: 'check', at, check: c('smoke.health', { status: 'failed', message: 'down', evidence: [{ kind: 'file', label: 'shot', path: 'smoke/a.png' }] }) },
      { type: 'artifact', at, artifact: { stage: 'smoke', name: 'trace', path: 'smoke/trace.zip', kind: 'trace' } },
      { type: 'stage.end', at, stage: { name: 'smoke', status: 'failed', durationMs: 100 } },
      { type: 'stage.start', at, stage: 'uat' },
      { type: 'check', at, check: c('uat.render', { status: 'failed', severity: 'major' }) },
      { type: 'stage.end', at, stage: { name: 'uat', status: 'failed', durationMs: 300 } },
      { type: 'extra', at, key: 'load', value: { p99: 12 } },
      {
        type: 'action',
        at: later,
        action: { kind: 'rollback', name: 'cmd', status: 'failed', startedAt: later, durationMs: 10, attempts: [{ at: later, ok: false, message: 'exit 1', durationMs: 10 }], message: 'rollback command failed' },
      },
      { type: 'run.end', at: later, interrupted: false },
    ],
  ],
  ['crashed run (no run.end): interrupted, stages missing', [start, { type: 'check', at, check: c('smoke.health') }]],
];

describe('replayed reports satisfy the schema and every builder', () => {
  it.each(logs)('%s', (_name, events) => {
    const report = buildVerdict(events, opts);
    expect(validateVerdict(JSON.parse(buildVerdictJson(report)))).toEqual({ ok: true });
    expect(buildSummaryMarkdown(report)).toContain(`[${report.verdict.toUpperCase()}]`);
    expect(buildJunitXml(report)).toContain('<testsuites');
    expect(buildHtml(report)).toContain(`data-verdict="${report.verdict}"`);
  });
});

describe('warnings from a replayed report', () => {
  it('lists a quarantined failure once, labelled quarantined, and a flaky check once', () => {
    const report = buildVerdict(
      [
        start,
        { type: 'check', at, check: c('smoke.health') },
        { type: 'check', at, check: c('uat.render', { status: 'failed', severity: 'major', message: 'stuck' }) },
        { type: 'check', at, check: c('uat.upload', { status: 'flaky', attempts: 2, severity: 'major' }) },
        { type: 'check', at, check: c('load.p99') },
        { type: 'run.end', at: later, interrupted: false },
      ],
      opts,
    );
    const warnings = collectWarnings(report);
    const pairs = warnings.map((w) => `${w.checkId}:${w.kind}`).sort();
    expect(pairs).toEqual(['uat.render:quarantined', 'uat.upload:flaky']);
  });
});
