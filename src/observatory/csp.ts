// Content-Security-Policy parsing with the MDN HTTP Observatory's rules:
// directives are case-insensitive, sources are lower-cased, a repeated
// directive makes the policy invalid (report-uri / report-to excepted), a
// source list without sources means 'none', and a policy shorter than the
// shortest useful directive is invalid.
import { startTags } from './html.ts';

export type CspMap = Map<string, Set<string>>;

const MIN_POLICY_LENGTH = 'img-src'.length - 1;
const ALLOWED_DUPLICATES = new Set(['report-uri', 'report-to']);
const META_DISALLOWED = ['frame-ancestors', 'report-uri', 'sandbox'];

export class CspParseError extends Error {
  override readonly name = 'CspParseError';
}

/** Split raw header values into single policies (commas separate policies). */
export function splitPolicies(raw: string[]): string[] {
  return raw.flatMap((v) => v.split(',').map((s) => s.trim()));
}

/**
 * Parse one or more policies. With several policies the Observatory keeps a
 * source only when every policy allows it; we approximate that by taking each
 * directive from the first policy that defines it (documented in docs/security.md).
 */
export function parseCsp(policies: string[]): CspMap {
  const clean = policies.map((p) => p.replace(/[\r\n]/g, '').trim());
  const out: CspMap = new Map();
  for (const policy of clean) {
    if (!policy || policy.length < MIN_POLICY_LENGTH) throw new CspParseError(`invalid policy: "${policy}"`);
  }
  for (const policy of clean) {
    const seen = new Set<string>();
    for (const entry of policy.split(';')) {
      const [rawDirective, ...values] = entry.trim().split(/\s+/);
      if (!rawDirective) continue;
      const directive = rawDirective.toLowerCase();
      if (seen.has(directive) && !ALLOWED_DUPLICATES.has(directive)) throw new CspParseError(`duplicate directive ${directive}`);
      seen.add(directive);
      if (out.has(directive)) continue;
      const sources = values.map((v) => v.trim().toLowerCase()).filter(Boolean);
      if (sources.length === 0 && directive.endsWith('-src')) sources.push("'none'");
      out.set(directive, new Set(sources));
    }
  }
  return out;
}

/** Policies from <meta http-equiv> cannot carry frame-ancestors, report-uri or sandbox. */
export function parseCspMeta(policies: string[]): CspMap {
  const map = parseCsp(policies);
  for (const d of META_DISALLOWED) map.delete(d);
  return map;
}

/** `<meta http-equiv="X" content="Y">` values from an HTML page, by lower-case name. */
export function httpEquiv(html: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const tag of startTags(html, 'meta')) {
    const name = attr(tag, 'http-equiv');
    const content = attr(tag, 'content');
    if (!name || content === undefined) continue;
    const key = name.toLowerCase();
    out.set(key, [...(out.get(key) ?? []), content]);
  }
  return out;
}

export function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  if (!m) return undefined;
  return m[1] ?? m[2] ?? m[3] ?? '';
}
