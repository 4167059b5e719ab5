import { createHash } from 'node:crypto';

// Error signatures: a message with everything that varies per occurrence
// replaced by a placeholder, so "user 123 not found" and "user 456 not
// found" are one signature. Order matters: quoted values and paths first
// (they may contain digits), then ids, hex, numbers.

const RULES: Array<[RegExp, string]> = [
  [/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '<str>'],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, '<url>'],
  [/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, '<email>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/(?:[A-Za-z]:)?(?:[\\/][\w.@~-]+){2,}[\\/]?(?::\d+(?::\d+)?)?/g, '<path>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<ip>'],
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  [/\b(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{16,}\b/g, '<id>'],
  // Digits glued to a word stay (utf8, s3, http2); counts, durations (1.5s) and sizes go.
  [/(?<![A-Za-z_])[-+]?\d+(?:\.\d+)?/g, '<n>'],
];

export function normaliseMessage(message: string): string {
  // The first line only: stack frames differ by build, the headline does not.
  let s = (message.split(/\r?\n/, 1)[0] ?? '').trim();
  for (const [re, to] of RULES) s = s.replace(re, to);
  return s.replace(/\s+/g, ' ').slice(0, 300);
}

export function fingerprint(signature: string): string {
  return createHash('sha256').update(signature).digest('hex').slice(0, 12);
}
