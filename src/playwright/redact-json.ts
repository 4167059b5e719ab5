import { REDACTED, type Redactor } from '../core/redact.ts';

// Redaction for the JSON Playwright and Allure write (trace events, network
// snapshots, result files). Headers and cookies appear there as
// `{ name, value }` pairs and request bodies as base64, shapes the text
// redactor cannot see, so they are handled here.

const SECRET_PAIR_NAME = /^(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token|x-csrf-token)$|token|secret|password|passwd|sid$|session/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Values worth learning as secrets: session ids, bearer tokens, cookie values. */
export function harvestSecrets(value: unknown, found: Set<string>, parentKey?: string): void {
  if (Array.isArray(value)) {
    for (const v of value) harvestSecrets(v, found, parentKey);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  if (typeof obj.name === 'string' && typeof obj.value === 'string' && (parentKey === 'cookies' || SECRET_PAIR_NAME.test(obj.name))) {
    addValueParts(obj.name, obj.value, found);
  }
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string' && /^(?:token|accessToken|access_token|sid|sessionId)$/i.test(k)) addValueParts(k, v, found);
    else harvestSecrets(v, found, k);
  }
}

function addValueParts(name: string, value: string, found: Set<string>): void {
  const n = name.toLowerCase();
  const parts: string[] = [];
  if (n === 'cookie' || n === 'set-cookie') {
    for (const piece of value.split(/[;,\n]\s*/)) {
      const eq = piece.indexOf('=');
      if (eq > 0) parts.push(piece.slice(eq + 1));
    }
  } else {
    parts.push(value.replace(/^(?:Bearer|Basic|Token)\s+/i, ''));
  }
  for (const p of parts) if (p.length >= 8 && !/^(?:\[REDACTED|Path|HttpOnly|SameSite|Max-Age|Expires)/i.test(p)) found.add(p);
}

/** Redact a JSON-like value: secret pairs blanked, strings (and base64 bodies) text-redacted. */
export function redactJson(value: unknown, redactor: Redactor, parentKey?: string): unknown {
  if (typeof value === 'string') return redactString(value, redactor, parentKey);
  if (Array.isArray(value)) return value.map((v) => redactJson(v, redactor, parentKey));
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const secretPair = typeof obj.name === 'string' && typeof obj.value === 'string' && (parentKey === 'cookies' || SECRET_PAIR_NAME.test(obj.name));
  for (const [k, v] of Object.entries(obj)) {
    if (secretPair && k === 'value') out[k] = (v as string).length ? REDACTED : v;
    else out[k] = redactJson(v, redactor, k);
  }
  return out;
}

function redactString(s: string, redactor: Redactor, key: string | undefined): string {
  if (key && /^(?:password|passwd|token|accessToken|access_token|sid|secret)$/i.test(key) && s.length) return REDACTED;
  // Request bodies are stored base64-encoded: look inside first, so the body stays valid
  // base64 of its redacted text (the redactor also matches a secret's base64 form, which
  // would otherwise cut the encoded body apart).
  if (s.length >= 12 && s.length % 4 === 0 && BASE64.test(s)) {
    const decoded = decodeText(Buffer.from(s, 'base64'));
    if (decoded !== undefined) {
      const red = redactTextBody(decoded, redactor);
      if (red !== decoded) return Buffer.from(red, 'utf8').toString('base64');
    }
  }
  return redactor.text(s);
}

/** A text body: JSON is redacted structurally, anything else as text. */
export function redactTextBody(text: string, redactor: Redactor): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(redactJson(JSON.parse(trimmed), redactor));
    } catch {
      /* not JSON after all */
    }
  }
  // Form bodies: password=…&username=…
  return redactor.text(text).replace(/(^|&)(password|passwd|token|sid)=[^&]*/gi, `$1$2=${REDACTED}`);
}

/** UTF-8 text without NUL bytes, or undefined for binary data. */
export function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
