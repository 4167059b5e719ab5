import { describe, expect, it } from 'vitest';
import type { RunEvent } from './events.ts';
import { applyRules, buildVerdict, quarantineActive } from './verdict.ts';
import type { CheckResult } from './types.ts';

const at = '2026-11-26T10:00:00.000Z';
const c = (id: string, p: Partial<CheckResult> = {}): CheckResult => ({ id, stage: id.split('.')[0]!, title: id, severity: 'critical', status: 'passed', durationMs: 5, attempts: 1, evidence: [], ...p }) as CheckResult;
const start: RunEvent = { type: 'run.start', at, runId: 'r', command: 'verify', target: { environment: 'staging', baseUrl: 'http://x', expectedVersion: '1.4.0' }, plan: ['smoke', 'uat'], required: ['smoke', 'uat'], partial: false };
const opts = { majorBudget: 0, flakyAsFailed: false, overrides: [], quarantine: [] };

describe('buildVerdict', () => {
  it('replays checks, stages, observations and counts', () => {
    const events: RunEvent[] = [
      start,
      { type: 'stage.start', at, stage: 'smoke' },
      { type: 'check', at, check: c('smoke.version') },
      { type: 'observation', at, key: 'observedVersion', value: '1.4.0' },
      { type: 'stage.end', at, stage: { name: 'smoke', status: 'passed', durationMs: 10 } },
      { type: 'stage.start', at, stage: 'uat' },
      { type: 'check', at, check: c('uat.render', { status: 'flaky', attempts: 2, severity: 'major' }) },
      { type: 'stage.end', at, stage: { name: 'uat', status: 'passed', durationMs: 20 } },
      { type: 'run.end', at: '2026-11-26T10:00:01.000Z', interrupted: false },
    ];
    const r = buildVerdict(events, opts);
    expect(r.verdict).toBe('stand');
    expect(r.target.observedVersion).toBe('1.4.0');
    expect(r.counts).toMatchObject({ passed: 1, flaky: 1, failed: 0 });
    expect(r.warnings.map((w) => w.checkId)).toEqual(['uat.render']);
    expect(r.durationMs).toBe(1000);
  });

  it('a log without run.end (crash) is interrupted: hold', () => {
    const r = buildVerdict([start, { type: 'check', at, check: c('smoke.a') }, { type: 'check', at, check: c('uat.a') }], opts);
    expect(r.verdict).toBe('hold');
    expect(r.interrupted).toBe(true);
    expect(r.stages.every((s) => s.status === 'interrupted')).toBe(true);
  });

  it('quarantine is honoured until it expires', () => {
    const failed = c('uat.flows.checkout', { status: 'failed' });
    const q = [{ checkId: 'uat.flows.*', owner: 'qa-team', expires: '2026-11-30' }];
    const events = (check: CheckResult): RunEvent[] => [start, { type: 'check', at, check }, { type: 'check', at, check: c('smoke.a') }, { type: 'run.end', at, interrupted: false }];
    const honoured = buildVerdict(events(failed), { ...opts, quarantine: q });
    expect(honoured.verdict).toBe('stand');
    expect(honoured.checks.find((x) => x.id === failed.id)?.quarantine?.owner).toBe('qa-team');
    expect(honoured.warnings[0]?.message).toContain('quarantined');
    const expired = buildVerdict(events(failed), { ...opts, quarantine: [{ ...q[0]!, expires: '2026-11-25' }] });
    expect(expired.verdict).toBe('rollback');
  });

  it('date-only expiry lasts through that day', () => {
    const e = { checkId: 'x', owner: 'o', expires: '2026-11-26' };
    expect(quarantineActive(e, new Date('2026-11-26T23:00:00Z'))).toBe(true);
    expect(quarantineActive(e, new Date('2026-11-27T00:00:01Z'))).toBe(false);
  });

  it('overrides change severity, onFail and dry-run by glob', () => {
    const rules = { overrides: [{ match: 'security.headers.*', severity: 'minor' as const }, { match: 'dr.rpo', onFail: 'warn' as const }], quarantine: [] };
    const now = new Date(at);
    expect(applyRules(c('security.headers.csp'), rules, now).severity).toBe('minor');
    expect(applyRules(c('security.tls'), rules, now).severity).toBe('critical');
    expect(applyRules(c('dr.rpo'), rules, now).onFail).toBe('warn');
  });

  it.each([
    ['an override to warn', { overrides: [{ match: 'smoke.*', onFail: 'warn' as const }, { match: 'uat.*', severity: 'minor' as const }] }],
    ['an override to dry run', { overrides: [{ match: 'smoke.*', dryRun: true }, { match: 'uat.*', dryRun: true }] }],
    ['quarantine', { quarantine: [{ checkId: 'smoke.*', owner: 'o', expires: '2999-01-01' }, { checkId: 'uat.*', owner: 'o', expires: '2999-01-01' }] }],
  ])('every check waived by %s against a dead target holds', (_name, rules) => {
    const dead = [c('smoke.health', { status: 'errored' }), c('uat.login', { status: 'failed' })];
    const events: RunEvent[] = [start, ...dead.map((check): RunEvent => ({ type: 'check', at, check })), { type: 'run.end', at, interrupted: false }];
    const r = buildVerdict(events, { ...opts, ...rules });
    expect(r.verdict).toBe('hold');
    expect(r.reasons.map((x) => x.message)).toContainEqual(expect.stringMatching(/every check that ran was waived/));
  });

  it('a check that is warn by its own declaration is not a waiver', () => {
    const events: RunEvent[] = [start, { type: 'check', at, check: c('smoke.a', { severity: 'minor' }) }, { type: 'check', at, check: c('uat.a', { onFail: 'warn' }) }, { type: 'run.end', at, interrupted: false }];
    expect(buildVerdict(events, opts).verdict).toBe('stand');
  });
});
