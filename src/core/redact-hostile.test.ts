import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Redactor, STRUCTURAL_KEYS, VOCABULARY } from './redact.ts';
import { partialMin } from './redact-forms.ts';

// Issue 23 item 2: a target that echoes a secret hands it back escaped by
// whatever layer it went through, or cut at an excerpt's edge.

const secret = `Pa55<w&rd>"q'/\\`; // every character a layer escapes
const r = new Redactor([['ROLE_PASSWORD', secret]]);
const html = (s: string, f: (c: string) => string) => [...s].map((c) => (/[A-Za-z0-9]/.test(c) ? c : f(c))).join('');
const esc = (s: string, f: (c: string) => string) => [...s].map((c) => (/[A-Za-z0-9]/.test(c) ? c : f(c))).join('');
const code = (c: string) => c.charCodeAt(0);

describe('redaction in every encoding pdv or a server writes', () => {
  it.each([
    ['JSON (JSON.stringify)', JSON.stringify({ echo: secret })],
    ['JSON twice', JSON.stringify(JSON.stringify({ echo: secret }))],
    ['Go encoding/json (\\u003c \\u0026 \\u003e)', `{"echo":"${esc(secret, (c) => (`<>&`.includes(c) ? `\\u00${code(c).toString(16)}` : c === '"' || c === '\\' ? `\\${c}` : c))}"}`],
    ['PHP json_encode (\\/ and \\u0027)', `{"echo":"${esc(secret, (c) => (c === '/' ? '\\/' : c === "'" ? '\\u0027' : c === '"' || c === '\\' ? `\\${c}` : c))}"}`],
    ['Python/Ruby \\x escapes', `echo=${esc(secret, (c) => `\\x${code(c).toString(16)}`)}`],
    ['HTML named entities', `<p>${html(secret, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] ?? c)}</p>`],
    ['HTML decimal entities', `<p>${html(secret, (c) => `&#${code(c)};`)}</p>`],
    ['HTML hex entities, upper case', `<p>${html(secret, (c) => `&#X${code(c).toString(16).toUpperCase()};`)}</p>`],
    ['HTML escaped twice', `<p>${html(secret, (c) => `&amp;#${code(c)};`)}</p>`],
    ['URL-encoded', `next=${encodeURIComponent(secret)}`],
    ['URL-encoded twice', `next=${encodeURIComponent(encodeURIComponent(secret))}`],
    ['URL-encoded, lower-case escapes', `next=${encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`],
    ['base64', Buffer.from(secret).toString('base64')],
  ])('%s', (_name, input) => {
    const out = r.text(input);
    expect(out).toContain('[REDACTED:ROLE_PASSWORD]');
    expect(out).not.toContain('Pa55');
  });

  it('a secret cut at the end or the start of an excerpt is redacted, plain or escaped', () => {
    const token = 'tok_9f8e7d6c5b4a39281706';
    const t = new Redactor([['TOKEN', token]]);
    const min = partialMin(token.length);
    expect(t.text(`body: {"token":"${token.slice(0, min)}`)).toBe('body: {"token":"[REDACTED:TOKEN]');
    expect(t.text(`body: ${token.slice(0, 15)}…`)).toBe('body: [REDACTED:TOKEN]');
    expect(t.text(`${token.slice(-min)}", "ok": true}`)).toBe('[REDACTED:TOKEN]", "ok": true}');
    const escapedCut = JSON.stringify(secret).slice(1, 12); // Pa55\u003c… cut mid-way
    expect(r.text(`echo ${escapedCut}`)).not.toContain('Pa55');
    // Fewer characters than identify it: ordinary text stays.
    expect(t.text(`value tok_`)).toBe('value tok_');
  });

  it('excerpt() redacts before it cuts', () => {
    const t = new Redactor([['TOKEN', 'abcdefghijklmnop0123']]);
    const body = `${'x'.repeat(390)}abcdefghijklmnop0123 tail`;
    const out = t.excerpt(body, 400);
    expect(out).not.toContain('abcdefghij');
    expect(out).toContain('[REDACTED');
  });
});

/** Every enum word of the verdict schema, and the keys whose values are enums. */
function schemaEnums(): { words: Set<string>; keys: Set<string> } {
  const schema = JSON.parse(readFileSync(new URL('../../schema/verdict.schema.json', import.meta.url), 'utf8')) as unknown;
  const words = new Set<string>();
  const keys = new Set<string>();
  const walk = (x: unknown, key?: string): void => {
    if (Array.isArray(x)) return x.forEach((v) => walk(v, key));
    if (!x || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    if (Array.isArray(o.enum)) {
      for (const w of o.enum) if (typeof w === 'string') words.add(w);
      if (key) keys.add(key);
    }
    if (key && typeof o.$ref === 'string' && /\/(verdict|severity|status)$/.test(o.$ref)) keys.add(key);
    for (const [k, v] of Object.entries(o)) {
      if (k === 'properties' && v && typeof v === 'object') for (const [pk, pv] of Object.entries(v)) walk(pv, pk);
      else walk(v, key);
    }
  };
  walk(schema);
  return { words, keys };
}

describe('structural fields are never rewritten', () => {
  const { words, keys } = schemaEnums();

  it('the vocabulary and the structural keys cover every enum of the verdict schema', () => {
    for (const w of words) expect(VOCABULARY, w).toContain(w);
    for (const k of keys) expect(STRUCTURAL_KEYS, k).toContain(k);
  });

  it.each([...words].filter((w) => w.length >= 4))('a secret equal to "%s" leaves status, severity, verdict and ids alone, and is redacted from free text', (word) => {
    const t = new Redactor([['TOKEN', word]]);
    const report = { verdict: word, reasons: [{ checkId: word, stage: word, severity: word, status: word, effect: word, message: `it ${word} here` }], kind: word };
    const out = t.deep(report);
    expect(out.verdict).toBe(word);
    expect(out.kind).toBe(word);
    expect(out.reasons[0]).toMatchObject({ checkId: word, stage: word, severity: word, status: word, effect: word });
    expect(out.reasons[0]?.message).toBe('it [REDACTED:TOKEN] here');
  });
});
