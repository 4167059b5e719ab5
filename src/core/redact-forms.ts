// How a secret can look once some layer has escaped it: a target that echoes
// a password may hand it back JSON-escaped (`\u0026`, `\/`), HTML-escaped
// (`&amp;`, `&#38;`, `&#x26;`), URL-encoded (`%26`, `%2526`), or escaped by a
// server language (`\x26`, `\"`). Enumerating every mix of these would
// explode; one pattern per secret where each character matches any of its
// escaped forms finds all of them in one linear pass.

/** Characters that no layer escapes: matched as themselves. */
const PLAIN = /^[A-Za-z0-9]$/;

const NAMED_ENTITY: Record<string, string> = { '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos', ' ': 'nbsp' };

function reEscape(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** A hex number matching either case, with optional leading zeros. */
function hexRe(n: number, width = 1): string {
  const digits = n.toString(16).padStart(width, '0');
  return [...digits].map((d) => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d)).join('');
}

/** Every escaped form of one character, as a regex alternative. */
function charForms(ch: string): string {
  if (PLAIN.test(ch)) return ch;
  const cp = ch.codePointAt(0) ?? 0;
  const amp = '&(?:amp;)*'; // HTML-escaped once or more
  const forms = [reEscape(ch), `${amp}#0*${cp};`, `${amp}#[xX]0*${hexRe(cp)};`];
  const named = NAMED_ENTITY[ch];
  if (named) forms.push(`${amp}${named};`);
  // JSON / JavaScript / Go / PHP / Python escapes, possibly escaped again (`\\u0026`).
  if (cp <= 0xffff) forms.push(`\\\\+u${hexRe(cp, 4)}`);
  if (cp <= 0xff) forms.push(`\\\\+x${hexRe(cp, 2)}`);
  if (`"'/\\\``.includes(ch)) forms.push(`\\\\+${reEscape(ch)}`);
  // URL encoding of each UTF-8 byte, possibly encoded again (`%2526`), and `+` for a space in forms.
  const bytes = [...Buffer.from(ch)].map((b) => `%(?:25)*${hexRe(b, 2)}`).join('');
  forms.push(bytes);
  if (ch === ' ') forms.push('\\+');
  return `(?:${forms.join('|')})`;
}

/** The characters of a secret (code points, so an emoji stays one character). */
export function secretChars(value: string): string[] {
  return [...value];
}

/** One regex matching the secret with any of its characters in any escaped form; undefined when it has only plain characters. */
export function escapedFormsPattern(value: string): RegExp | undefined {
  const chars = secretChars(value);
  if (chars.every((c) => PLAIN.test(c))) return undefined;
  return new RegExp(chars.map(charForms).join(''), 'g');
}

/** A trailing cut marker an excerpt may carry after a partial secret. */
const CUT_MARK = '(?:…|\\.\\.\\.)?';

/** The start of an escape the cut broke off (`\`, `\u00`, `&am`, `%2`). */
const BROKEN_ESCAPE = '(?:\\\\+(?:[ux][0-9a-fA-F]{0,3})?|&[#\\w]{0,6}|%[0-9a-fA-F]?)?';

/** Longest secret whose partial forms are looked for at a text's edges (longer ones: only whole). */
export const MAX_EDGE_SECRET = 256;

/** The shortest run of a secret's characters at a cut edge that counts as the secret. */
export function partialMin(length: number): number {
  return Math.max(4, Math.min(8, Math.ceil(length / 2)));
}

/**
 * Patterns for a secret cut at an excerpt edge: the text ends with its first
 * characters, or starts with its last ones (at least `partialMin` of them, in
 * any escaped form). Nested optional groups keep each pattern linear.
 */
export function edgePatterns(value: string): { head: RegExp; tail: RegExp } | undefined {
  const chars = secretChars(value);
  // A connection string's identifying part is its password, registered on its own;
  // its scheme and host at an edge are ordinary words ("…restored into postgres").
  if (chars.length > MAX_EDGE_SECRET || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  const min = partialMin(chars.length);
  if (min >= chars.length) return undefined; // only the whole secret identifies it
  const forms = chars.map(charForms);
  // Text ends with chars[0..k), k >= min: mandatory first `min`, then nested optionals.
  let rest = '';
  for (let i = forms.length - 2; i >= min; i--) rest = `(?:${forms[i]}${rest})?`;
  const tail = new RegExp(`${forms.slice(0, min).join('')}${rest}${BROKEN_ESCAPE}${CUT_MARK}\\s*$`);
  // Text starts with chars[j..n), n - j >= min.
  let lead = '';
  for (let i = 1; i < forms.length - min; i++) lead = `(?:${lead}${forms[i]})?`;
  const head = new RegExp(`^\\s*${CUT_MARK}${lead}${forms.slice(forms.length - min).join('')}`);
  return { head, tail };
}
