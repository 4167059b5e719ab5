// Secrets never reach a report, log, trace or HAR. Everything written into a
// run folder or printed passes through one Redactor built from the secret
// values of this run (credentials from env, tokens) plus the shapes that are
// always secret (Authorization, Cookie, Set-Cookie, tokens in URLs).
import { edgePatterns, escapedFormsPattern } from './redact-forms.ts';

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

/** Shortest secret pdv can redact without shredding ordinary text; configured secrets shorter than this are refused at plan time. */
export const MIN_SECRET_LENGTH = 4;

/**
 * Fields whose values are pdv's own vocabulary (verdict, status, severity,
 * effect, kinds) or identifiers (check ids, stage names): never rewritten, so
 * a secret equal to `failed` or `rollback` cannot change what a report means.
 */
export const STRUCTURAL_KEYS: ReadonlySet<string> = new Set([
  'verdict', 'machineVerdict', 'machineVerdictAtDecision', 'status', 'severity', 'effect', 'onFail', 'kind', 'provider', 'type',
  'id', 'checkId', 'stage', 'name',
]);

/** The words of the verdict schema's enums (schema/verdict.schema.json; a test keeps the two in step). */
export const VOCABULARY: ReadonlySet<string> = new Set([
  'stand', 'rollback', 'hold', 'warn', 'critical', 'major', 'minor', 'passed', 'failed', 'flaky', 'skipped', 'errored', 'missing',
  'timedout', 'interrupted', 'succeeded', 'dry-run', 'ready', 'blocked', 'text', 'json', 'http', 'file', 'metric', 'link',
  'hdr', 'samples', 'trace', 'screenshot', 'har', 'sarif', 'allure', 'other', 'checks', 'stages', 'signoff', 'changeTicket', 'github',
]);

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

interface Secret {
  name: string;
  value: string;
  /** The whole-value encodings (hex, base64, URL forms), matched literally, longest first. */
  literals: string[];
  /** Every character in any escaped form (JSON, HTML, URL, server-language escapes). */
  pattern?: RegExp;
  /** The secret cut at an excerpt's edge. */
  edges?: { head: RegExp; tail: RegExp };
}

export class Redactor {
  private readonly secrets: Secret[] = [];

  constructor(secrets: Iterable<[string, string]> = []) {
    for (const [name, value] of secrets) this.addSecret(name, value);
  }

  /** Register another secret value (e.g. a session token obtained during the run). */
  addSecret(name: string, value: string | undefined): void {
    // Shorter values would shred ordinary text; configured ones are refused at plan time (refuseShortSecrets).
    if (!value || value.length < MIN_SECRET_LENGTH) return;
    if (this.secrets.some((s) => s.value === value)) return;
    const literals = encodings(value).sort((a, b) => b.length - a.length);
    const pattern = escapedFormsPattern(value);
    const edges = edgePatterns(value);
    this.secrets.push({ name, value, literals, ...(pattern ? { pattern } : {}), ...(edges ? { edges } : {}) });
    // Longest first, so a secret containing another is replaced whole.
    this.secrets.sort((a, b) => b.value.length - a.value.length);
  }

  get size(): number {
    return this.secrets.reduce((n, s) => n + s.literals.length, 0);
  }

  /**
   * Redact secret values and secret-bearing shapes in free text: each secret
   * whole in every encoding, and cut at either edge of the text (an excerpt).
   * `keepVocabulary` leaves alone a secret equal to a word of pdv's own
   * vocabulary: for a rendered report, whose free text was redacted as data
   * already and whose `failed` badges are pdv's words, not the secret.
   */
  text(input: string, options: { keepVocabulary?: boolean } = {}): string {
    let out = input;
    for (const s of this.secrets) {
      if (options.keepVocabulary && VOCABULARY.has(s.value)) continue;
      out = redactSecret(out, s);
    }
    out = out.replace(/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${REDACTED}`);
    out = out.replace(/\b((?:set-)?cookie|authorization)\s*:\s*[^\r\n]+/gi, `$1: ${REDACTED}`);
    // Query and fragment parameters (OAuth puts tokens in `#access_token=`).
    // A key never spans another `?`: `[^=&#\s"']+` alone rescans to the end from every `?` (quadratic on `?a?a…`).
    out = out.replace(/([?&#])([^=?&#\s"']+)=([^&#\s"']*)/g, (m, sep: string, k: string) =>
      SENSITIVE_PARAM.test(k) ? `${sep}${k}=${REDACTED}` : m,
    );
    // userinfo in connection strings and URLs: the password always, a user name that looks like a token too.
    // Bounded parts keep this linear: an unbounded scheme run rescans `a.a.a…` from every letter.
    out = out.replace(/\b([a-z][a-z0-9+.-]{0,31}:\/\/)([^/\s:@]{1,256})(?::([^/\s@]{1,1024}))?@/gi, (_m, scheme: string, user: string, password: string | undefined) => {
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

  /** Redact free text, then cut it: a secret is never left in part at the cut. */
  excerpt(input: string, maxChars: number): string {
    return this.text(this.text(input).slice(0, maxChars));
  }

  private walk(value: unknown, key: string | undefined): unknown {
    if (typeof value === 'string') {
      if (key && STRUCTURAL_KEYS.has(key)) return value;
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

function redactSecret(input: string, s: Secret): string {
  const mark = `[REDACTED:${s.name}]`;
  let out = input;
  for (const literal of s.literals) if (out.includes(literal)) out = out.split(literal).join(mark);
  if (s.pattern) out = out.replace(s.pattern, mark);
  if (s.edges) {
    const head = s.edges.head.exec(out);
    if (head) out = mark + out.slice(head[0].length);
    // The tail pattern only ever spans a few escaped forms per character: search the end of the text.
    const from = Math.max(0, out.length - (s.value.length * 24 + 16));
    const tail = s.edges.tail.exec(out.slice(from));
    if (tail) out = out.slice(0, from + tail.index) + mark;
  }
  return out;
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
