import { STRUCTURAL_KEYS } from '../core/redact.ts';
import type { FinalRedactor, TextFormat } from './types.ts';

// Defence in depth: events are redacted on the way in, but every report file
// gets one more pass just before it is written. The pass must not break the
// file's structure (a redaction pattern that runs to end of line would eat a
// closing tag or quote), so it is applied per value: JSON strings, markup text
// nodes and attribute values, markdown lines. It never rewrites pdv's own
// words: JSON values under structural keys (status, verdict, check ids) stay,
// and a secret equal to a vocabulary word (`failed`) is left to the data-level
// pass, which already redacted it from every free-text field.
const KEEP = { keepVocabulary: true } as const;

export function formatFor(relPath: string): TextFormat {
  if (/\.json$/i.test(relPath)) return 'json';
  if (/\.(?:html?|xml|svg)$/i.test(relPath)) return 'markup';
  return 'text';
}

export function redactFinal(text: string, format: TextFormat, redactor: FinalRedactor | undefined): string {
  if (!redactor) return text;
  // Fast path: reports are usually clean (events were redacted on the way in),
  // and one pass over the whole (entity-decoded) text proves it.
  const plain = format === 'markup' ? decode(text) : text;
  if (redactor.text(plain, KEEP) === plain) return text;
  switch (format) {
    case 'json':
      return redactJson(text, redactor);
    case 'markup':
      return redactMarkup(text, redactor);
    default:
      return text
        .split('\n')
        .map((line) => redactor.text(line, KEEP))
        .join('\n');
  }
}

function redactJson(text: string, redactor: FinalRedactor): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return redactor.text(text, KEEP); // not JSON after all: plain pass
  }
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') return key !== undefined && STRUCTURAL_KEYS.has(key) ? v : redactor.text(v, KEEP);
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [redactor.text(k, KEEP), walk(x, k)]));
    return v;
  };
  return JSON.stringify(walk(value), null, 2) + (text.endsWith('\n') ? '\n' : '');
}

const ENTITY: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&apos;': "'" };

function decode(s: string): string {
  return s.replace(/&(?:amp|lt|gt|quot|#39|apos);/g, (m) => ENTITY[m] ?? m);
}

function encode(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Redact one escaped value; untouched values keep their exact bytes. */
function redactEscaped(escaped: string, redactor: FinalRedactor): string {
  const plain = decode(escaped);
  const out = redactor.text(plain, KEEP);
  return out === plain ? escaped : encode(out);
}

function redactMarkup(text: string, redactor: FinalRedactor): string {
  return text
    .split(/(<[^>]*>)/)
    .map((part) => {
      if (!part.startsWith('<')) return part && redactEscaped(part, redactor);
      return part.replace(/(=\s*)(["'])([^"']*)\2/g, (_m, eq: string, q: string, v: string) => `${eq}${q}${redactEscaped(v, redactor)}${q}`);
    })
    .join('');
}
