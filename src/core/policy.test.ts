import { describe, expect, it } from 'vitest';
import { isCriticalRollbackFailure, policy, type PolicyInput } from './policy.ts';
import type { CheckResult, StageSummary, Verdict } from './types.ts';
import { wideGlobProblem } from './verdict.ts';

function check(id: string, partial: Partial<CheckResult> = {}): CheckResult {
  return {
    id,
    stage: id.split('.')[0] ?? 'smoke',
    title: id,
    severity: 'major',
    status: 'passed',
    durationMs: 1,
    attempts: 1,
    evidence: [],
    ...partial,
  } as CheckResult;
}

const ran = (name: string): StageSummary => ({ name, status: 'passed', durationMs: 1 });

const cases: Array<[string, Partial<PolicyInput> & { checks: CheckResult[] }, Verdict, string[]]> = [
  ['all passed → stand', { checks: [check('smoke.a'), check('smoke.b', { severity: 'critical' })] }, 'stand', []],
  ['critical failed → rollback', { checks: [check('smoke.health', { severity: 'critical', status: 'failed' })] }, 'rollback', ['smoke.health']],
  ['critical failed with onFail hold → hold', { checks: [check('dr.rpo', { severity: 'critical', status: 'failed', onFail: 'hold' })] }, 'hold', ['dr.rpo']],
  ['critical failed with onFail warn → stand', { checks: [check('x.y', { severity: 'critical', status: 'failed', onFail: 'warn' })] }, 'stand', []],
  ['one major failed, budget 0 → rollback', { checks: [check('load.p95', { status: 'failed' })] }, 'rollback', ['load.p95']],
  ['minor failed → stand (warning)', { checks: [check('security.xcto', { severity: 'minor', status: 'failed' })] }, 'stand', []],
  ['critical errored → hold', { checks: [check('metrics.alarms', { severity: 'critical', status: 'errored' })] }, 'hold', ['metrics.alarms']],
  ['major errored → hold', { checks: [check('metrics.p99', { status: 'errored' })] }, 'hold', ['metrics.p99']],
  ['minor errored → stand', { checks: [check('security.sri', { severity: 'minor', status: 'errored' })] }, 'stand', []],
  ['flaky → stand', { checks: [check('uat.render', { status: 'flaky', attempts: 2 })] }, 'stand', []],
  ['dry-run critical failure beside real evidence → stand', { checks: [check('smoke.a'), check('metrics.new', { severity: 'critical', status: 'failed', dryRun: true })] }, 'stand', []],
  [
    'quarantined critical failure beside real evidence → stand',
    { checks: [check('smoke.a'), check('uat.flows', { severity: 'critical', status: 'failed', quarantine: { owner: 'qa', expires: '2999-01-01' } })] },
    'stand',
    [],
  ],
  ['required stage without checks → hold', { checks: [check('smoke.a')], required: ['smoke', 'uat'], stages: [ran('smoke'), ran('uat')] }, 'hold', ['uat']],
  [
    'required stage whose checks were all skipped → hold',
    { checks: [check('smoke.a'), check('dr.backup-found', { status: 'skipped', message: 'DR is not configured' })], required: ['smoke', 'dr'], stages: [ran('smoke'), ran('dr')] },
    'hold',
    ['dr'],
  ],
  ['a skipped check beside real evidence is fine', { checks: [check('load.p95'), check('load.baseline', { status: 'skipped' })], required: ['load'], stages: [ran('load')] }, 'stand', []],
  ['no checks at all → hold', { checks: [] }, 'hold', ['run']],
  ['interrupted → hold', { checks: [check('smoke.a')], interrupted: { reason: 'SIGINT' } }, 'hold', ['run']],
  [
    'rollback outranks hold, reasons most severe first',
    {
      checks: [
        check('metrics.x', { status: 'errored' }),
        check('smoke.version', { severity: 'critical', status: 'failed' }),
        check('smoke.integration', { status: 'failed', onFail: 'hold' }),
      ],
    },
    'rollback',
    ['smoke.version', 'smoke.integration', 'metrics.x'],
  ],
  [
    'fail-fast skipped stage is not missing evidence under rollback',
    {
      checks: [check('smoke.health', { severity: 'critical', status: 'failed' })],
      required: ['smoke', 'uat'],
      stages: [ran('smoke'), { name: 'uat', status: 'skipped', durationMs: 0, message: 'skipped: fail-fast' }],
    },
    'rollback',
    ['smoke.health'],
  ],
];

const q = { owner: 'qa', expires: '2999-01-01' };

// Issue 13: a waiver must never become the whole verdict. Every counted (not
// skipped) check waived — quarantined, dry run, or lowered to warn by an
// override — is nothing to stand on.
const waived: Array<[string, Partial<PolicyInput> & { checks: CheckResult[] }, Verdict, string[]]> = [
  ['every check quarantined, all failed → hold', { checks: [check('smoke.health', { severity: 'critical', status: 'failed', quarantine: q }), check('smoke.version', { status: 'errored', quarantine: q })] }, 'hold', ['run']],
  ['every check quarantined, all passed → hold', { checks: [check('smoke.a', { quarantine: q }), check('smoke.b', { quarantine: q })] }, 'hold', ['run']],
  ['every check dry run against a dead target → hold', { checks: [check('smoke.health', { severity: 'critical', status: 'errored', dryRun: true })] }, 'hold', ['run']],
  ['every check overridden to warn → hold', { checks: [check('smoke.health', { severity: 'critical', status: 'failed', onFail: 'warn' })], overriddenToWarn: ['smoke.health'] }, 'hold', ['run']],
  [
    'a mix of quarantine, dry run and override waives everything → hold',
    { checks: [check('smoke.a', { quarantine: q }), check('uat.b', { dryRun: true }), check('load.c', { severity: 'minor' }), check('dr.d', { status: 'skipped' })], overriddenToWarn: ['load.c'] },
    'hold',
    ['run'],
  ],
  ['skipped checks do not count as evidence beside waived ones', { checks: [check('smoke.a', { quarantine: q }), check('smoke.b', { status: 'skipped' })] }, 'hold', ['run']],
  ['one counted check beside waived ones → stand', { checks: [check('smoke.a', { quarantine: q }), check('smoke.b')] }, 'stand', []],
  ['a check that is warn by its own declaration is not waived → stand', { checks: [check('security.sri', { severity: 'minor', status: 'failed' })] }, 'stand', []],
  ['minor errored by its own declaration → stand', { checks: [check('security.sri', { severity: 'minor', status: 'errored' })] }, 'stand', []],
];

describe('policy', () => {
  it.each(waived)('waivers: %s', (_name, input, verdict, reasonIds) => {
    const result = policy({ stages: [], required: [], ...input });
    expect(result.verdict).toBe(verdict);
    expect(result.reasons.map((r) => r.checkId)).toEqual(reasonIds);
    if (verdict === 'hold') expect(result.reasons[0]?.message).toMatch(/waived.*nothing to stand on/);
  });

  it('the all-waived reason counts each kind of waiver', () => {
    const result = policy({ checks: [check('smoke.a', { quarantine: q }), check('uat.b', { dryRun: true }), check('load.c', { onFail: 'warn' })], stages: [], required: [], overriddenToWarn: ['load.c'] });
    expect(result.reasons[0]?.message).toBe('every check that ran was waived (1 quarantined, 1 dry run, 1 overridden to warn): nothing to stand on');
  });

  it.each(cases)('%s', (_name, input, verdict, reasonIds) => {
    const result = policy({ stages: [], required: [], ...input });
    expect(result.verdict).toBe(verdict);
    expect(result.reasons.map((r) => r.checkId)).toEqual(reasonIds);
  });

  it('majorBudget tolerates that many major failures', () => {
    const checks = [check('load.a', { status: 'failed' }), check('load.b', { status: 'failed' })];
    expect(policy({ checks, stages: [], required: [] }, { majorBudget: 2, flakyAsFailed: false }).verdict).toBe('stand');
    expect(policy({ checks, stages: [], required: [] }, { majorBudget: 1, flakyAsFailed: false }).verdict).toBe('rollback');
  });

  it('flakyAsFailed turns a flaky critical into rollback', () => {
    const checks = [check('uat.login', { severity: 'critical', status: 'flaky', attempts: 2 })];
    expect(policy({ checks, stages: [], required: [] }, { majorBudget: 0, flakyAsFailed: true }).verdict).toBe('rollback');
    const lenient = policy({ checks, stages: [], required: [] });
    expect(lenient.verdict).toBe('stand');
    expect(lenient.warnings.map((w) => w.checkId)).toEqual(['uat.login']);
  });

  it('lists warn failures, flaky and dry-run checks as warnings', () => {
    const result = policy({
      checks: [
        check('security.sri', { severity: 'minor', status: 'failed' }),
        check('uat.render', { status: 'flaky', attempts: 2 }),
        check('metrics.new', { status: 'failed', dryRun: true }),
      ],
      stages: [],
      required: [],
    });
    expect(result.verdict).toBe('stand');
    expect(result.warnings.map((w) => w.checkId).sort()).toEqual(['metrics.new', 'security.sri', 'uat.render']);
  });

  it('names the selection when an on-demand run matched nothing', () => {
    const result = policy({ checks: [], stages: [ran('uat')], required: ['uat'], grep: '@nothing' });
    expect(result.verdict).toBe('hold');
    expect(result.reasons[0]?.message).toContain('@nothing');
  });

  it('fail-fast trigger ignores inert checks', () => {
    expect(isCriticalRollbackFailure(check('smoke.h', { severity: 'critical', status: 'failed' }))).toBe(true);
    expect(isCriticalRollbackFailure(check('smoke.h', { severity: 'critical', status: 'failed', dryRun: true }))).toBe(false);
    expect(isCriticalRollbackFailure(check('smoke.h', { severity: 'critical', status: 'failed', onFail: 'hold' }))).toBe(false);
    expect(isCriticalRollbackFailure(check('smoke.h', { severity: 'major', status: 'failed' }))).toBe(false);
  });
});

describe('wideGlobProblem', () => {
  it.each([
    ['*', true],
    ['*.*', true],
    ['**', true],
    ['*.health', true],
    ['smoke*', true],
    ['smoke.*', false],
    ['uat.render.*', false],
    ['soak.drift.*', false],
    ['security.headers.csp', false],
    ['made-up.exact-id', false],
  ])('%s wider than one stage: %s', (glob, wide) => {
    expect(wideGlobProblem(glob, ['smoke', 'uat', 'security', 'soak']) !== undefined).toBe(wide);
  });
});
