// Secrets never reach a report, log, trace or HAR. Everything written into a
// run folder or printed passes through one Redactor built from the secret
// values of this run (credentials from env, tokens) plus the shapes that are
// always secret (Authorization, Cookie, Set-Cookie, tokens in URLs).

const SENSITIVE_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-hub-signature-256',
  'x-pdv-signature',
]);

const SENSITIVE_PARAM = /^(?:access_token|id_token|refresh_token|token|api[_-]?key|apikey|key|secret|password|passwd|pwd|auth|signature|sig|x-amz-signature|x-amz-security-token|x-amz-credential|session|sessionid|sid|code)$/i;

export const REDACTED = '[REDACTED]';

/** A URL user name this long is a token (`https://ghp_…@github.com`), not a login name. */
const TOKEN_LIKE_USER = /^[A-Za-z0-9._~+%-]{16,}$/;

/** Shortest base64 fragment redacted on its own: shorter ones would shred ordinary text. */
const MIN_BASE64_CORE = 8;

/**
 * The forms a secret takes on its way out: URL and form encoding (either hex
 * case), JSON escaping, hex, and base64/base64url — whole, with the trailing
 * newline `echo secret | base64` adds, and the part of it that is the same
 * wherever the secret sits inside a longer encoded text (`user:secret`).
 */
function encodings(value: string): string[] {
  const lowerEscapes = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  const strict = encodeURIComponent(value).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  const urlForms = [encodeURIComponent(value), strict, encodeURI(value), new URLSearchParams({ v: value }).toString().slice(2)];
  const bytes = Buffer.from(value);
  const hex = bytes.toString('hex');
  const whole = [value, `${value}\n`].flatMap((v) => [Buffer.from(v).toString('base64'), Buffer.from(v).toString('base64url')]);
  const out = [value, ...urlForms, ...urlForms.map(lowerEscapes), JSON.stringify(value).slice(1, -1), hex, hex.toUpperCase(), ...whole, ...base64Cores(bytes)];
  return [...new Set(out)];
}

/** The base64 characters that depend only on the secret's bytes, for each of the three alignments. */
function base64Cores(bytes: Buffer): string[] {
  const out: string[] = [];
  for (const k of [0, 1, 2]) {
    const shifted = Buffer.concat([Buffer.alloc(k), bytes]);
    const start = Math.ceil((8 * k) / 6);
    const end = Math.floor((8 * (k + bytes.length)) / 6);
    for (const enc of ['base64', 'base64url'] as const) {
      const core = shifted.toString(enc).slice(start, end);
      if (core.length >= MIN_BASE64_CORE) out.push(core);
    }
  }
  return out;
}

export class Redactor {
  private readonly values: Array<{ name: string; value: string }>;

  constructor(secrets: Iterable<[string, string]> = []) {
    this.values = [];
    for (const [name, value] of secrets) this.addSecret(name, value);
  }

  /** Register another secret value (e.g. a session token obtained during the run). */
  addSecret(name: string, value: string | undefined): void {
    if (!value || value.length < 4) return; // too short to redact without shredding text
    if (this.values.some((v) => v.value === value)) return;
    for (const variant of encodings(value)) {
      if (!this.values.some((v) => v.value === variant)) this.values.push({ name, value: variant });
    }
    // Longest first, so a secret containing another is replaced whole.
    this.values.sort((a, b) => b.value.length - a.value.length);
  }

  get size(): number {
    return this.values.length;
  }

  /** Redact secret values and secret-bearing shapes in free text. */
  text(input: string): string {
    let out = input;
    for (const { name, value } of this.values) {
      if (out.includes(value)) out = out.split(value).join(`[REDACTED:${name}]`);
    }
    out = out.replace(/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${REDACTED}`);
    out = out.replace(/\b((?:set-)?cookie|authorization)\s*:\s*[^\r\n]+/gi, `$1: ${REDACTED}`);
    // Query and fragment parameters (OAuth puts tokens in `#access_token=`).
    out = out.replace(/([?&#])([^=&#\s"']+)=([^&#\s"']*)/g, (m, sep: string, k: string) =>
      SENSITIVE_PARAM.test(k) ? `${sep}${k}=${REDACTED}` : m,
    );
    // userinfo in connection strings and URLs: the password always, a user name that looks like a token too.
    out = out.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+)(?::([^/\s@]+))?@/gi, (_m, scheme: string, user: string, password: string | undefined) => {
      const u = TOKEN_LIKE_USER.test(user) ? REDACTED : user;
      return `${scheme}${u}${password === undefined ? '' : `:${REDACTED}`}@`;
    });
    return out;
  }

  /** Redact a URL: query parameters that carry secrets, userinfo passwords. */
  url(input: string): string {
    return this.text(input);
  }

  /** Redact a header map (values of sensitive headers are replaced entirely). */
  headers(headers: Record<string, string | string[] | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) {
      if (v === undefined) continue;
      const value = Array.isArray(v) ? v.join(', ') : v;
      out[k] = SENSITIVE_HEADERS.has(k.toLowerCase()) ? redactHeaderValue(k, value) : this.text(value);
    }
    return out;
  }

  /** Deep-redact any JSON-like value: strings are redacted, keys that name secrets are blanked. */
  deep<T>(value: T): T {
    return this.walk(value, undefined) as T;
  }

  private walk(value: unknown, key: string | undefined): unknown {
    if (typeof value === 'string') {
      if (key && isSecretKey(key)) return value.length ? REDACTED : value;
      return this.text(value);
    }
    if (Array.isArray(value)) return value.map((v) => this.walk(v, key));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = this.walk(v, k);
      return out;
    }
    return value;
  }
}

function isSecretKey(key: string): boolean {
  const k = key.toLowerCase();
  return (
    SENSITIVE_HEADERS.has(k) ||
    /(^|[_-])(password|passwd|secret|token|apikey|api_key|credential|privatekey|private_key)s?$/.test(k) ||
    k === 'password' ||
    k === 'token'
  );
}

/** Keep cookie names (useful evidence: "sid set without Secure"), drop values. */
function redactHeaderValue(name: string, value: string): string {
  const n = name.toLowerCase();
  if (n === 'set-cookie' || n === 'cookie') {
    return value
      .split(n === 'cookie' ? /;\s*/ : /,(?=\s*[^;=\s]+=)/)
      .map((part) => {
        const [pair, ...attrs] = part.split(';');
        const eq = (pair ?? '').indexOf('=');
        const cname = eq >= 0 ? (pair ?? '').slice(0, eq).trim() : (pair ?? '').trim();
        return [`${cname}=${REDACTED}`, ...attrs.map((a) => a.trim())].join('; ');
      })
      .join(n === 'cookie' ? '; ' : ', ');
  }
  const scheme = /^(\w+)\s+/.exec(value)?.[1];
  return scheme ? `${scheme} ${REDACTED}` : REDACTED;
}
