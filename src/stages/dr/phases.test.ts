import { describe, expect, it } from 'vitest';
import type { CheckStatus } from '../../core/types.ts';
import type { DrCheckSlug } from './checks.ts';
import { PhaseGate, skippedBecause } from './phases.ts';

// restore → migration → counts/checksums → app → RTO: a check runs only when
// what it stands on did not fail, and a skipped one names the root cause.

function gateWith(statuses: Array<[DrCheckSlug, CheckStatus]>): PhaseGate {
  const g = new PhaseGate();
  for (const [slug, status] of statuses) {
    const cause = status === 'skipped' ? g.blockedBy(slug) : undefined;
    g.record(slug, status, cause);
  }
  return g;
}

describe('PhaseGate', () => {
  it.each<[string, Array<[DrCheckSlug, CheckStatus]>, DrCheckSlug, string | undefined]>([
    ['all passed: the app runs', [['restore', 'passed'], ['migration-version', 'passed'], ['row-counts', 'passed'], ['checksums', 'passed']], 'app-on-restored-data', undefined],
    ['migration failed: counts do not run', [['restore', 'passed'], ['migration-version', 'failed']], 'row-counts', 'migration-version failed'],
    ['migration failed: the app names the migration, not the skipped counts', [['restore', 'passed'], ['migration-version', 'failed'], ['row-counts', 'skipped'], ['checksums', 'skipped']], 'app-on-restored-data', 'migration-version failed'],
    ['migration failed: RTO names it too', [['restore', 'passed'], ['migration-version', 'failed'], ['row-counts', 'skipped'], ['checksums', 'skipped'], ['app-on-restored-data', 'skipped']], 'rto', 'migration-version failed'],
    ['no expected migration (skipped, no cause): counts run', [['restore', 'passed'], ['migration-version', 'skipped']], 'row-counts', undefined],
    ['checksums failed: the app does not run', [['restore', 'passed'], ['migration-version', 'passed'], ['row-counts', 'passed'], ['checksums', 'failed']], 'app-on-restored-data', 'checksums failed'],
    ['no manifest (errored): the app does not run', [['restore', 'passed'], ['migration-version', 'passed'], ['row-counts', 'errored'], ['checksums', 'errored']], 'app-on-restored-data', 'row-counts errored'],
    ['no app configured (skipped, no cause): RTO is measured', [['restore', 'passed'], ['migration-version', 'passed'], ['row-counts', 'passed'], ['checksums', 'passed'], ['app-on-restored-data', 'skipped']], 'rto', undefined],
    ['restore errored: migration does not run', [['restore', 'errored']], 'migration-version', 'restore errored'],
  ])('%s', (_name, statuses, slug, cause) => {
    const got = gateWith(statuses).blockedBy(slug);
    expect(got ? `${got.slug} ${got.status}` : undefined).toBe(cause);
  });

  it('says why in the check message', () => {
    expect(skippedBecause({ slug: 'migration-version', status: 'failed' })).toBe('not run: dr.migration-version failed');
    expect(skippedBecause({ slug: 'restore', status: 'errored' })).toBe('not run: dr.restore could not be checked');
  });
});
