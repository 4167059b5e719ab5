import type { ErrorLine } from './types.ts';
import { fingerprint, normaliseMessage } from './normalise.ts';

// New error signatures: seen after the deploy at least `threshold` times and
// never before it (pure).

export interface Signature {
  fingerprint: string;
  signature: string;
  count: number;
  /** One raw message (the caller redacts it before it leaves the stage). */
  example: string;
  firstSeen: number;
}

export function countSignatures(lines: readonly ErrorLine[]): Map<string, Signature> {
  const out = new Map<string, Signature>();
  for (const l of lines) {
    const signature = normaliseMessage(l.message);
    const fp = fingerprint(signature);
    const s = out.get(fp);
    if (s) {
      s.count++;
      s.firstSeen = Math.min(s.firstSeen, l.time);
    } else out.set(fp, { fingerprint: fp, signature, count: 1, example: l.message.slice(0, 500), firstSeen: l.time });
  }
  return out;
}

export interface NewSignatures {
  /** At/above the threshold, absent before: these fail the check. Most frequent first. */
  failing: Signature[];
  /** New but below the threshold (reported, not failing). */
  belowThreshold: Signature[];
  before: number;
  after: number;
}

export function newSignatures(before: readonly ErrorLine[], after: readonly ErrorLine[], threshold: number): NewSignatures {
  const old = countSignatures(before);
  const now = countSignatures(after);
  const fresh = [...now.values()].filter((s) => !old.has(s.fingerprint)).sort((a, b) => b.count - a.count || a.firstSeen - b.firstSeen);
  return { failing: fresh.filter((s) => s.count >= threshold), belowThreshold: fresh.filter((s) => s.count < threshold), before: old.size, after: now.size };
}
