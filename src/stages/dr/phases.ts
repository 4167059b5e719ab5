import type { CheckResult, CheckStatus } from '../../core/types.ts';
import { drCheck, type CheckFacts, type DrCheckSlug } from './checks.ts';

// Which DR check stands on which (docs/dr.md): restore → migration →
// counts/checksums → app → RTO. A check whose prerequisite failed or errored
// is not run: it is reported skipped, naming the root cause — so a restored
// app refused on a wrong schema never shows up as a second, misleading failure.

export const DEPENDS_ON: Readonly<Partial<Record<DrCheckSlug, readonly DrCheckSlug[]>>> = {
  'archive-reads': ['backup-found'],
  restore: ['archive-reads'],
  'migration-version': ['restore'],
  'row-counts': ['migration-version'],
  checksums: ['migration-version'],
  'app-on-restored-data': ['row-counts', 'checksums'],
  rto: ['app-on-restored-data'],
};

export interface Cause {
  slug: DrCheckSlug;
  status: 'failed' | 'errored';
}

/** Statuses as the stage emits them; answers "may this check run, and if not, why". */
export class PhaseGate {
  private readonly status = new Map<DrCheckSlug, CheckStatus>();
  private readonly causes = new Map<DrCheckSlug, Cause>();

  record(slug: DrCheckSlug, status: CheckStatus, cause?: Cause): void {
    this.status.set(slug, status);
    if (cause) this.causes.set(slug, cause);
  }

  has(slug: DrCheckSlug): boolean {
    return this.status.has(slug);
  }

  /** The root failure that keeps `slug` from running, or undefined when it may run. */
  blockedBy(slug: DrCheckSlug): Cause | undefined {
    for (const dep of DEPENDS_ON[slug] ?? []) {
      const s = this.status.get(dep);
      if (s === 'failed' || s === 'errored') return { slug: dep, status: s };
      const inherited = this.causes.get(dep);
      if (inherited) return inherited;
    }
    return undefined;
  }
}

export function skippedBecause(cause: Cause): string {
  return `not run: dr.${cause.slug} ${cause.status === 'failed' ? 'failed' : 'could not be checked'}`;
}

const AFTER: readonly DrCheckSlug[] = ['archive-reads', 'restore', 'migration-version', 'row-counts', 'checksums', 'app-on-restored-data', 'rto'];

/** Emits the stage's checks through the gate: what ran, what was skipped and why. */
export class DrEmitter {
  private readonly gate = new PhaseGate();
  constructor(private readonly check: (c: CheckResult) => void) {}

  emit(slug: DrCheckSlug, facts: CheckFacts, cause?: Cause): void {
    this.gate.record(slug, facts.status, cause);
    this.check(drCheck(slug, facts));
  }

  has(slug: DrCheckSlug): boolean {
    return this.gate.has(slug);
  }

  /** May `slug` run? When a prerequisite failed it is reported skipped, naming the cause. */
  runs(slug: DrCheckSlug): boolean {
    const cause = this.gate.blockedBy(slug);
    if (cause) this.emit(slug, { status: 'skipped', message: skippedBecause(cause) }, cause);
    return !cause;
  }

  /** Every check not yet reported is skipped: after its root cause when it depends on one, else for `why`. */
  skipRest(why: string): void {
    for (const slug of AFTER) {
      if (this.gate.has(slug)) continue;
      const cause = this.gate.blockedBy(slug);
      this.emit(slug, { status: 'skipped', message: cause ? skippedBecause(cause) : why }, cause);
    }
  }
}
