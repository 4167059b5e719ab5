import { describe, expect, it } from 'vitest';
import { evaluateChecklist, fileKey, promotion, type ChecklistFacts, type ChecklistItem } from './checklist.ts';
import { policy } from './policy.ts';
import type { CheckResult } from './types.ts';

const check = (id: string, status: CheckResult['status']): CheckResult => ({ id, stage: id.split('.')[0] ?? 'smoke', title: id, severity: 'major', status, message: `${id} ${status}`, durationMs: 1, attempts: 1, evidence: [] });

const facts: ChecklistFacts = {
  checks: [check('smoke.health', 'passed'), check('smoke.login', 'flaky'), check('security.headers', 'failed'), check('load.p95', 'skipped')],
  stages: [],
  signoffs: [{ what: 'uat', by: 'pete', at: '2026-01-01T00:00:00.000Z' }],
  observations: { changeTicket: 'CHG-7', [fileKey('docs/rollback.md')]: true, [fileKey('docs/missing.md')]: false },
};

describe('evaluateChecklist', () => {
  it.each<[string, Omit<ChecklistItem, 'id' | 'title'>, boolean, RegExp | undefined]>([
    ['checks by glob, flaky counts as passed', { checks: ['smoke.*'] }, true, undefined],
    ['a failed check', { checks: ['security.*'] }, false, /not passed: security.headers failed/],
    ['only skipped checks are no evidence', { checks: ['load.*'] }, false, /no check of load\.\* ran/],
    ['a stage', { stages: ['smoke'] }, true, undefined],
    ['a stage that did not run', { stages: ['dr'] }, false, /no check of stage dr ran/],
    ['a recorded sign-off', { signoff: 'uat' }, true, undefined],
    ['a missing sign-off', { signoff: 'security-review' }, false, /waiting for security-review sign-off/],
    ['a change ticket', { changeTicket: true }, true, undefined],
    ['a change ticket matching a pattern', { changeTicket: { pattern: '^CHG-\\d+$' } }, true, undefined],
    ['a change ticket not matching', { changeTicket: { pattern: '^JIRA-' } }, false, /does not match/],
    ['a file that exists', { file: 'docs/rollback.md' }, true, undefined],
    ['a file that does not', { file: 'docs/missing.md' }, false, /not found/],
    ['a file never observed', { file: 'docs/other.md' }, false, /not found/],
  ])('%s', (_name, evidence, ticked, missing) => {
    const [entry] = evaluateChecklist([{ id: 'x', title: 'x', ...evidence }], facts);
    expect(entry?.ticked).toBe(ticked);
    if (missing) expect(entry?.missing).toMatch(missing);
    else expect(entry?.missing).toBeUndefined();
  });

  it('no change ticket recorded', () => {
    expect(evaluateChecklist([{ id: 't', title: 't', changeTicket: true }], { ...facts, observations: {} })[0]?.missing).toMatch(/no change ticket/);
  });
});

describe('promotion', () => {
  it.each([
    ['stand', false, true, 'ready', []],
    ['hold', false, true, 'blocked', ['verdict']],
    ['stand', true, true, 'blocked', ['complete']],
    ['stand', false, false, 'blocked', ['x']],
  ] as const)('%s partial=%s ticked=%s → %s', (verdict, partial, ticked, status, blocking) => {
    const p = promotion(verdict, partial, [{ id: 'x', title: 'x', kind: 'file', ticked, evidence: [], ...(ticked ? {} : { missing: 'm' }) }]);
    expect(p.status).toBe(status);
    expect(p.blocking.map((b) => b.id)).toEqual(blocking);
  });
});

describe('policy: required sign-offs', () => {
  const input = { checks: [check('smoke.health', 'passed')], stages: [], required: [] };
  const opts = { majorBudget: 0, flakyAsFailed: false, requireSignoffs: ['uat'] };
  it('holds while a required sign-off is missing', () => {
    const r = policy(input, opts);
    expect(r.verdict).toBe('hold');
    expect(r.reasons).toMatchObject([{ checkId: 'signoff.uat', status: 'missing', message: 'waiting for UAT sign-off', effect: 'hold' }]);
  });
  it('stands once it is recorded', () => {
    expect(policy({ ...input, signoffs: ['uat'] }, opts).verdict).toBe('stand');
  });
  it('a rollback stays a rollback', () => {
    expect(policy({ ...input, checks: [{ ...check('smoke.health', 'failed'), severity: 'critical' }] }, opts).verdict).toBe('rollback');
  });
});
