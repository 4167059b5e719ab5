import { describe, expect, it } from 'vitest';
import { isScratchDbName, isScratchInstanceId, parseTagComment, quoteIdent, scratchDbName, scratchInstanceId, tagComment } from './naming.ts';

describe('scratch naming', () => {
  it.each([
    ['20261126T040000Z-ab12', 'pdv_dr_20261126t040000z_ab12', 'pdv-dr-20261126t040000z-ab12'],
    ['--Run..ID--', 'pdv_dr_run_id', 'pdv-dr-run-id'],
    ['', 'pdv_dr_run', 'pdv-dr-run'],
  ])('%s → %s / %s', (runId, db, rds) => {
    expect(scratchDbName(runId)).toBe(db);
    expect(scratchInstanceId(runId)).toBe(rds);
    expect(isScratchDbName(db)).toBe(true);
    expect(isScratchInstanceId(rds)).toBe(true);
  });

  it('stays within 63 characters and RDS rules (no trailing or double hyphen)', () => {
    const long = 'x'.repeat(100) + '-y';
    expect(scratchDbName(long).length).toBeLessThanOrEqual(63);
    const id = scratchInstanceId('a'.repeat(55) + '--b-c');
    expect(id.length).toBeLessThanOrEqual(63);
    expect(id).toMatch(/^[a-z](?:-?[a-z0-9])*$/);
  });

  it('does not take other databases for scratch copies', () => {
    expect(isScratchDbName('postgres')).toBe(false);
    expect(isScratchDbName('pdv_other')).toBe(false);
  });

  it('round-trips the tag comment', () => {
    const at = new Date('2026-11-26T04:00:00Z');
    expect(parseTagComment(tagComment('run-1', at))).toEqual({ runId: 'run-1', createdAt: '2026-11-26T04:00:00.000Z' });
    expect(parseTagComment('a database')).toBeUndefined();
    expect(parseTagComment(null)).toBeUndefined();
  });

  it('quotes identifiers', () => {
    expect(quoteIdent('public.projects')).toBe('"public"."projects"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
  });
});
