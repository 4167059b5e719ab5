import { UsageError } from '../core/errors.ts';
import { hostAllowed } from '../http/on-target.ts';

// Load never goes where it was not sent on purpose: only hosts on the
// environment's allow-list (loopback too, only when listed), under caps.
// `caps` (default 1000 req/s, 10 min, 256 connections) is the safety cap; an
// explicit `caps.maxRate` lifts the rate cap — whoever writes 100 000 means
// it. Duration, connections and in-flight stay under the absolute maxima
// below, and the rate under a ceiling that only guards against a typo.

export const ABSOLUTE_MAX = {
  /** Ceiling for an explicit `caps.maxRate` (a typo guard, not a throughput limit). */
  ratePerSecond: 1_000_000,
  durationMs: 2 * 3_600_000,
  connections: 4_096,
  inFlight: 20_000,
} as const;

export interface Caps {
  maxRate: number;
  maxDurationMs: number;
  maxConnections: number;
}

export { hostAllowed };

export function assertHostsAllowed(urls: Iterable<string>, allowedHosts: readonly string[], where: string): void {
  for (const url of urls) {
    if (!hostAllowed(url, allowedHosts)) {
      const host = (() => {
        try {
          return new URL(url).host;
        } catch {
          return url;
        }
      })();
      throw new LoadRefused(
        allowedHosts.length === 0
          ? `refused to send load to ${host}: environment.allowedHosts is empty (list the hosts load may go to)`
          : `refused to send load to ${host}: not on environment.allowedHosts (${allowedHosts.join(', ')})`,
        where,
      );
    }
  }
}

/** A safety rule stopped the run before it started. */
export class LoadRefused extends UsageError {}

export function effectiveCaps(c: Caps): Caps {
  return {
    maxRate: Math.min(c.maxRate, ABSOLUTE_MAX.ratePerSecond),
    maxDurationMs: Math.min(c.maxDurationMs, ABSOLUTE_MAX.durationMs),
    maxConnections: Math.min(c.maxConnections, ABSOLUTE_MAX.connections),
  };
}

export function assertWithinCaps(plan: { peakRate: number; durationMs: number; connections: number; inFlight: number }, caps: Caps, where: string): void {
  const c = effectiveCaps(caps);
  if (plan.peakRate > c.maxRate) {
    const lift = c.maxRate < ABSOLUTE_MAX.ratePerSecond ? ' (raise caps.maxRate to lift it)' : '';
    throw new LoadRefused(`peak rate ${plan.peakRate.toFixed(1)}/s exceeds the cap of ${c.maxRate}/s${lift}`, where);
  }
  if (plan.durationMs > c.maxDurationMs) throw new LoadRefused(`duration ${(plan.durationMs / 1000).toFixed(1)} s exceeds the cap of ${c.maxDurationMs / 1000} s`, where);
  if (plan.connections > c.maxConnections) throw new LoadRefused(`${plan.connections} connections exceed the cap of ${c.maxConnections}`, where);
  if (plan.inFlight > ABSOLUTE_MAX.inFlight) throw new LoadRefused(`maxInFlight ${plan.inFlight} exceeds the absolute cap of ${ABSOLUTE_MAX.inFlight}`, where);
}

/**
 * Error rate over a sliding window of whole seconds (by completion time):
 * a broken target is not hammered for the rest of the run.
 */
export class ErrorRateWindow {
  private readonly buckets = new Map<number, { total: number; failed: number }>();
  constructor(
    private readonly windowMs: number,
    private readonly level: number,
    private readonly minRequests: number,
  ) {}

  private lastS = -1;
  private last: { total: number; failed: number } | undefined;

  add(nowMs: number, failed: boolean): void {
    const s = Math.floor(nowMs / 1000);
    let b = s === this.lastS ? this.last : this.buckets.get(s);
    if (!b) {
      b = { total: 0, failed: 0 };
      this.buckets.set(s, b);
    }
    this.lastS = s;
    this.last = b;
    b.total++;
    if (failed) b.failed++;
  }

  /** A reason to abort, or undefined. */
  check(nowMs: number): string | undefined {
    const from = Math.floor((nowMs - this.windowMs) / 1000);
    let total = 0;
    let failed = 0;
    for (const [s, b] of this.buckets) {
      if (s < from) {
        this.buckets.delete(s);
        if (s === this.lastS) this.lastS = -1;
      }
      else {
        total += b.total;
        failed += b.failed;
      }
    }
    if (total >= this.minRequests && failed / total > this.level) {
      return `target error rate ${(100 * failed / total).toFixed(1)}% over the last ${this.windowMs / 1000} s passed the abort level ${(this.level * 100).toFixed(1)}% — load stopped early`;
    }
    return undefined;
  }
}
