import type { Signature } from '../definitions.ts';

// Pure parts of the exposed-file probes: does a body carry a file format's
// signature, and is it the same page a random path gets? Bodies are bytes:
// archive magic sits at byte offsets, which a UTF-8 decode would shift.

/** A compiled signature. */
export interface Matcher {
  /** What a match proves, e.g. "a tar archive (ustar)". */
  what: string;
  /** Byte magic (the body is binary: evidence shows no excerpt). */
  binary: boolean;
  test(raw: Buffer, text: string): boolean;
}

const UTF8_BOM = '\u00ef\u00bb\u00bf';

/** Latin-1 keeps one character per byte, so offsets and binary bytes survive. */
export function bytesToText(raw: Buffer): string {
  return raw.toString('latin1');
}

export function compileSignature(sig: Signature): Matcher {
  if ('hex' in sig) {
    const magic = Buffer.from(sig.hex, 'hex');
    return { what: sig.what, binary: true, test: (raw) => raw.length >= sig.offset + magic.length && raw.subarray(sig.offset, sig.offset + magic.length).equals(magic) };
  }
  if ('start' in sig) {
    // Anchored at byte 0 (after a BOM), never at a line in the middle of a page.
    const re = new RegExp(`^(?:${sig.start})`, (sig.flags ?? '').replace('m', ''));
    return { what: sig.what, binary: false, test: (_raw, text) => re.test(text.startsWith(UTF8_BOM) ? text.slice(UTF8_BOM.length) : text) };
  }
  const re = 'line' in sig ? new RegExp(sig.line, `${(sig.flags ?? '').replace('m', '')}m`) : new RegExp(sig.text, sig.flags ?? '');
  return { what: sig.what, binary: false, test: (_raw, text) => re.test(text) };
}

/** The first signature the body carries, or undefined. */
export function firstMatch(matchers: Matcher[], raw: Buffer): Matcher | undefined {
  const text = bytesToText(raw);
  return matchers.find((m) => m.test(raw, text));
}

/**
 * The body with what changes from request to request taken out: the requested
 * path, UUIDs, hex and base64-like tokens (nonces, CSRF tokens, hashes), numbers
 * (timestamps, ids), and runs of white space.
 */
export function normaliseBody(body: string, path?: string): string {
  let s = body;
  if (path && path !== '/') {
    for (const p of new Set([path, encodeURI(path), encodeURIComponent(path)])) s = s.split(p).join(' ');
  }
  return s
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ' ')
    .replace(/[A-Za-z0-9+/_-]{16,}={0,2}/g, ' ')
    .replace(/\b[0-9a-f]{8,}\b/gi, ' ')
    .replace(/\d+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Overlapping 3-token shingles (words and single punctuation marks). */
function shingles(s: string): Set<string> {
  const tokens = s.match(/[\p{L}]+|[^\s\p{L}]/gu) ?? [];
  if (tokens.length < 3) return new Set(tokens.length ? [tokens.join(' ')] : []);
  const out = new Set<string>();
  for (let i = 0; i + 3 <= tokens.length; i++) out.add(`${tokens[i]} ${tokens[i + 1]} ${tokens[i + 2]}`);
  return out;
}

/**
 * How alike two answers are, 0…1: Jaccard similarity of their shingles after
 * normalisation. Per-request nonces and timestamps do not count, content does.
 */
export function bodySimilarity(a: string, b: string, pathA?: string, pathB?: string): number {
  const na = normaliseBody(a, pathA);
  const nb = normaliseBody(b, pathB);
  if (na === nb) return 1;
  const sa = shingles(na);
  const sb = shingles(nb);
  if (!sa.size || !sb.size) return 0;
  let common = 0;
  for (const x of sa) if (sb.has(x)) common += 1;
  return common / (sa.size + sb.size - common);
}

/** Above this, an answer is the catch-all page. */
export const SIMILAR = 0.8;

/**
 * The similarity above which an answer counts as the catch-all's: SIMILAR,
 * lowered when even two random paths got less alike answers (a page that
 * varies more than its tokens), never below 0.3.
 */
export function catchAllThreshold(baselineSimilarity: number | undefined): number {
  if (baselineSimilarity === undefined) return SIMILAR;
  return Math.max(0.3, Math.min(SIMILAR, baselineSimilarity - 0.1));
}
