import type { ProbeResponse } from './types.ts';
import { startTags } from './html.ts';
import { attr, CspParseError, httpEquiv, parseCsp, parseCspMeta, splitPolicies, type CspMap } from './csp.ts';
import { MODIFIERS } from './score-table.ts';
import type { ObservatoryInput, TestName, TestOutcome } from './types.ts';

// The ten tests of the MDN HTTP Observatory (algorithm version 4), rewritten
// from its published rules. Each returns the Observatory's result key, pass
// and the header it saw; score modifiers come from score-table.ts.

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const BROAD = new Set(['ftp:', 'http:', 'https:', '*', 'http://*', 'http://*.*', 'https://*', 'https://*.*']);
const BROAD_OR_INLINE = new Set([...BROAD, "'unsafe-inline'", 'data:']);
const NONCE_HASH = ["'sha256-", "'sha384-", "'sha512-", "'nonce-"];
const SIX_MONTHS = 15_552_000;

function values(res: ProbeResponse | undefined, name: string): string[] {
  return res?.headers[name] ?? [];
}

/** One value per header, as Node and axios present repeated headers (joined with ", "). */
function joined(res: ProbeResponse | undefined, name: string): string | undefined {
  const v = values(res, name);
  return v.length ? v.join(', ') : undefined;
}

function equiv(res: ProbeResponse | undefined): Map<string, string[]> {
  if (!res) return new Map();
  const type = (joined(res, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return HTML_TYPES.has(type) ? httpEquiv(res.body) : new Map();
}

function outcome(name: TestName, result: string, pass: boolean, seen: string | null | undefined): TestOutcome {
  const modifier = MODIFIERS[result];
  if (modifier === undefined) throw new Error(`no score modifier for ${result}`);
  return { name, result, pass, modifier, seen: seen ?? null };
}

interface CspAnalysis {
  result: string;
  pass: boolean;
  data: CspMap | null;
  seen: string | null;
}

export function analyseCsp(input: ObservatoryInput): CspAnalysis {
  const res = input.auto;
  const headerPolicies = splitPolicies(values(res, 'content-security-policy'));
  const metaPolicies = splitPolicies(equiv(res).get('content-security-policy') ?? []);
  const seen = headerPolicies.length || metaPolicies.length ? [...headerPolicies, ...metaPolicies].join(', ') : null;
  if (!res) return { result: 'csp-not-implemented', pass: false, data: null, seen };
  let csp: CspMap;
  try {
    csp = parseCsp([...headerPolicies, ...metaPolicies]);
  } catch (err) {
    if (err instanceof CspParseError) return { result: 'csp-header-invalid', pass: false, data: null, seen };
    throw err;
  }
  const safeParse = (fn: () => CspMap): CspMap => {
    try {
      return fn();
    } catch {
      return new Map();
    }
  };
  const headerOnly = safeParse(() => parseCsp(headerPolicies));
  const meta = safeParse(() => parseCspMeta(metaPolicies));
  if (headerOnly.size + meta.size === 0) {
    const reportOnly = joined(res, 'content-security-policy-report-only');
    return { result: reportOnly ? 'csp-not-implemented-but-reporting-enabled' : 'csp-not-implemented', pass: false, data: null, seen };
  }
  const get = (d: string, fallback?: string): Set<string> => new Set(csp.get(d) ?? (fallback ? csp.get(fallback) : undefined) ?? ['*']);
  const objectSrc = get('object-src', 'default-src');
  const scriptSrc = get('script-src', 'default-src');
  const styleSrc = get('style-src', 'default-src');
  const hasNonceHash = (s: Set<string>): boolean => [...s].some((src) => NONCE_HASH.some((p) => src.startsWith(p)));
  for (const list of [scriptSrc, styleSrc]) if (hasNonceHash(list)) list.delete("'unsafe-inline'");

  let result: string | null = null;
  const set = (r: string): void => {
    result ??= r;
  };
  if (hasNonceHash(scriptSrc) && scriptSrc.has("'strict-dynamic'")) {
    for (const src of [...scriptSrc]) {
      if ([...BROAD].some((b) => src.startsWith(b)) || src === "'self'" || src === "'unsafe-inline'") scriptSrc.delete(src);
    }
  } else if (scriptSrc.has("'strict-dynamic'")) {
    set('csp-header-invalid');
  }
  const active = [...csp.entries()].filter(([d]) => d !== 'img-src' && d !== 'media-src' && d !== 'script-src').flatMap(([, s]) => [...s]);
  active.push(...scriptSrc);
  const passive = ['img-src', 'media-src'].flatMap((d) => [...(csp.get(d) ?? csp.get('default-src') ?? [])]);
  const isHttps = new URL(res.url).protocol === 'https:';
  const insecure = (s: string): boolean => s.startsWith('http:') || s.startsWith('ftp:');

  if ([...scriptSrc].some((s) => BROAD_OR_INLINE.has(s)) || [...objectSrc].some((s) => BROAD.has(s))) set('csp-implemented-with-unsafe-inline');
  if (isHttps && active.some(insecure)) set('csp-implemented-with-insecure-scheme');
  if (scriptSrc.has("'unsafe-eval'") || styleSrc.has("'unsafe-eval'")) set('csp-implemented-with-unsafe-eval');
  if (isHttps && passive.some(insecure)) set('csp-implemented-with-insecure-scheme-in-passive-content-only');
  if ([...styleSrc].some((s) => BROAD_OR_INLINE.has(s))) set('csp-implemented-with-unsafe-inline-in-style-src-only');
  const defaultSrc = csp.get('default-src');
  if (defaultSrc?.has("'none'") && defaultSrc.size === 1) set('csp-implemented-with-no-unsafe-default-src-none');
  else set('csp-implemented-with-no-unsafe');

  const final = result ?? 'csp-implemented-with-no-unsafe';
  const pass = [
    'csp-implemented-with-no-unsafe',
    'csp-implemented-with-no-unsafe-default-src-none',
    'csp-implemented-with-unsafe-inline-in-style-src-only',
    'csp-implemented-with-insecure-scheme-in-passive-content-only',
  ].includes(final);
  return { result: final, pass, data: csp, seen };
}

export function cspTest(input: ObservatoryInput): TestOutcome {
  const a = analyseCsp(input);
  return outcome('content-security-policy', a.result, a.pass, a.seen);
}

export function hstsTest(input: ObservatoryInput): TestOutcome {
  const res = input.https;
  const header = values(res, 'strict-transport-security').join(', ') || null;
  let result = 'hsts-not-implemented';
  if (!res) result = 'hsts-not-implemented-no-https';
  else if (!res.verified) result = 'hsts-invalid-cert';
  else if (header) {
    const data = header.slice(0, 1024);
    let maxAge: number | null = null;
    for (const p of data.split(';').map((s) => s.trim().toLowerCase())) {
      if (p.startsWith('max-age=')) maxAge = Number.parseInt(p.slice(8, 128), 10);
    }
    if (data.includes(',') || maxAge === null || Number.isNaN(maxAge)) result = 'hsts-header-invalid';
    else result = maxAge < SIX_MONTHS ? 'hsts-implemented-max-age-less-than-six-months' : 'hsts-implemented-max-age-at-least-six-months';
  }
  // The HSTS preload list is not consulted (no network): hsts-preloaded never occurs.
  return outcome('strict-transport-security', result, result === 'hsts-implemented-max-age-at-least-six-months', header);
}

interface ParsedCookie {
  name: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | undefined;
}

export function parseSetCookie(raw: string): ParsedCookie {
  const [pair = '', ...attrs] = raw.split(';');
  const name = pair.slice(0, Math.max(pair.indexOf('='), 0) || pair.length).trim();
  const c: ParsedCookie = { name, secure: false, httpOnly: false, sameSite: undefined };
  for (const a of attrs) {
    const [k = '', v] = a.split('=');
    const key = k.trim().toLowerCase();
    if (key === 'secure') c.secure = true;
    else if (key === 'httponly') c.httpOnly = true;
    else if (key === 'samesite') {
      const val = (v ?? '').trim().toLowerCase();
      c.sameSite = ['strict', 'lax', 'none'].includes(val) ? val : undefined;
    }
  }
  return c;
}

const COOKIE_ORDER = [
  'cookies-without-secure-flag-but-protected-by-hsts',
  'cookies-without-secure-flag',
  'cookies-session-without-secure-flag-but-protected-by-hsts',
  'cookies-samesite-flag-invalid',
  'cookies-anticsrf-without-samesite-flag',
  'cookies-session-without-httponly-flag',
  'cookies-session-without-secure-flag',
];

export function cookiesTest(input: ObservatoryInput): TestOutcome {
  const hsts = hstsTest(input).pass;
  let result: string | null = null;
  const worse = (r: string): void => {
    if (result === null || COOKIE_ORDER.indexOf(r) > COOKIE_ORDER.indexOf(result)) result = r;
  };
  for (const raw of input.setCookies) {
    for (const part of raw.split(';').slice(1)) {
      const [k = '', v] = part.trim().split('=');
      if (k.trim().toLowerCase() === 'samesite' && (!v || !['lax', 'strict', 'none'].includes(v.trim().toLowerCase()))) worse('cookies-samesite-flag-invalid');
    }
  }
  const cookies = input.setCookies.map(parseSetCookie).filter((c) => c.name && c.name !== 'heroku-session-affinity');
  let missingSameSite = false;
  for (const c of cookies) {
    const lower = c.name.toLowerCase();
    const session = lower.includes('login') || lower.includes('sess');
    if (!c.secure && c.sameSite === 'none') worse('cookies-samesite-flag-invalid');
    if (!c.secure) worse(hsts ? 'cookies-without-secure-flag-but-protected-by-hsts' : 'cookies-without-secure-flag');
    if (lower.includes('csrf') && !c.sameSite) worse('cookies-anticsrf-without-samesite-flag');
    if (session && !c.secure) worse(hsts ? 'cookies-session-without-secure-flag-but-protected-by-hsts' : 'cookies-session-without-secure-flag');
    if (session && !c.httpOnly) worse('cookies-session-without-httponly-flag');
    if (!c.sameSite) missingSameSite = true;
  }
  const final: string =
    cookies.length === 0 ? 'cookies-not-found' : (result ?? (missingSameSite ? 'cookies-secure-with-httponly-sessions' : 'cookies-secure-with-httponly-sessions-and-samesite'));
  const pass = ['cookies-not-found', 'cookies-secure-with-httponly-sessions-and-samesite', 'cookies-secure-with-httponly-sessions'].includes(final);
  // Values are never shown: names and attributes are the evidence.
  const seen = input.setCookies.map((raw) => raw.replace(/^([^=;]*)=[^;]*/, '$1=…')).join(' | ');
  return outcome('cookies', final, pass, seen || null);
}

export function corsTest(input: ObservatoryInput): TestOutcome {
  const acao = joined(input.cors, 'access-control-allow-origin');
  const acac = joined(input.cors, 'access-control-allow-credentials');
  let result = 'cross-origin-resource-sharing-not-implemented';
  if (input.cors && acao) {
    const data = acao.slice(0, 256).trim().toLowerCase();
    if (data === '*') result = 'cross-origin-resource-sharing-implemented-with-public-access';
    else if (input.corsOrigin === acao && acac?.toLowerCase().trim() === 'true') result = 'cross-origin-resource-sharing-implemented-with-universal-access';
    else result = 'cross-origin-resource-sharing-implemented-with-restricted-access';
  }
  const seen = acao ? `Access-Control-Allow-Origin: ${acao}${acac ? `; Access-Control-Allow-Credentials: ${acac}` : ''}` : null;
  return outcome('cross-origin-resource-sharing', result, result !== 'cross-origin-resource-sharing-implemented-with-universal-access', seen);
}

export function redirectionTest(input: ObservatoryInput): TestOutcome {
  const route = input.httpRedirects;
  const seen = route.length ? route.map((r) => `${r.status} ${r.url}`).join(' → ') : null;
  let result: string;
  if (!input.http) result = 'redirection-not-needed-no-http';
  else if (input.http.verified === false) result = 'redirection-invalid-cert';
  else if (route.length <= 1) result = 'redirection-missing';
  else {
    const urls = route.map((r) => new URL(r.url));
    if (urls.at(-1)?.protocol !== 'https:') result = 'redirection-not-to-https';
    else if (urls[1]?.protocol === 'http:') result = 'redirection-not-to-https-on-initial-redirection';
    else if (urls[0]?.protocol === 'http:' && urls[1]?.protocol === 'https:' && urls[0]?.hostname !== urls[1]?.hostname) result = 'redirection-off-host-from-http';
    else result = 'redirection-to-https';
  }
  return outcome('redirection', result, result === 'redirection-to-https' || result === 'redirection-not-needed-no-http', seen);
}

export function referrerPolicyTest(input: ObservatoryInput): TestOutcome {
  const good = ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'];
  const bad = ['origin', 'origin-when-cross-origin', 'unsafe-url', 'no-referrer-when-downgrade'];
  const all = [...values(input.auto, 'referrer-policy'), ...(equiv(input.auto).get('referrer-policy') ?? [])];
  if (!input.auto || all.length === 0) return outcome('referrer-policy', 'referrer-policy-not-implemented', true, null);
  const data = all.join(', ');
  const policy =
    data
      .split(',')
      .map((s) => s.toLowerCase().trim())
      .filter((s) => good.includes(s) || bad.includes(s))
      .at(-1) ?? '';
  const result = good.includes(policy) ? 'referrer-policy-private' : bad.includes(policy) ? 'referrer-policy-unsafe' : 'referrer-policy-header-invalid';
  return outcome('referrer-policy', result, result === 'referrer-policy-private', data);
}

function siteDomain(host: string): string | null {
  if (/^[\d.]+$/.test(host) || host.includes(':')) return null; // IPs have no registrable domain
  return host.split('.').slice(-2).join('.');
}

const SRI_ORDER = [
  'sri-implemented-and-all-scripts-loaded-securely',
  'sri-implemented-and-external-scripts-loaded-securely',
  'sri-implemented-but-external-scripts-not-loaded-securely',
  'sri-not-implemented-but-external-scripts-loaded-securely',
  'sri-not-implemented-and-external-scripts-not-loaded-securely',
  'sri-not-implemented-response-not-html',
];

export function sriTest(input: ObservatoryInput): TestOutcome {
  const res = input.auto;
  if (!res) return outcome('subresource-integrity', 'sri-not-implemented-but-no-scripts-loaded', true, null);
  const mime = (joined(res, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  let result: string | null = null;
  const worse = (r: string): void => {
    if (result === null || SRI_ORDER.indexOf(r) > SRI_ORDER.indexOf(result)) result = r;
  };
  const scripts = startTags(res.body, 'script');
  const external: string[] = [];
  if (mime && !HTML_TYPES.has(mime)) result = 'sri-not-implemented-response-not-html';
  else {
    const pageUrl = new URL(res.url);
    let foreign = false;
    for (const tag of scripts) {
      const src = attr(tag, 'src');
      if (!src) continue;
      const integrity = attr(tag, 'integrity');
      const relProtocol = /^\/\/[^/]/.test(src);
      const full = /^https?:\/\//i.test(src);
      const relOrigin = !relProtocol && !full;
      const sameDomain = relProtocol || relOrigin || (full && siteDomain(new URL(src).hostname) === siteDomain(pageUrl.hostname));
      const secureOrigin = relOrigin || (sameDomain && !relProtocol);
      const secureScheme = (full && new URL(src).protocol === 'https:') || (relOrigin && pageUrl.protocol === 'https:');
      if (!secureOrigin) {
        foreign = true;
        external.push(src);
        if (integrity && !secureScheme) worse('sri-implemented-but-external-scripts-not-loaded-securely');
        else if (!integrity && secureScheme) worse('sri-not-implemented-but-external-scripts-loaded-securely');
        else if (!integrity && !secureScheme) worse('sri-not-implemented-and-external-scripts-not-loaded-securely');
      } else if (integrity && secureScheme && result === null) {
        result = 'sri-implemented-and-all-scripts-loaded-securely';
      }
    }
    if (scripts.length === 0) result = 'sri-not-implemented-but-no-scripts-loaded';
    else if (result === null) {
      result = foreign ? 'sri-implemented-and-external-scripts-loaded-securely' : 'sri-not-implemented-but-all-scripts-loaded-from-secure-origin';
    }
  }
  const final: string = result ?? 'sri-not-implemented-but-no-scripts-loaded';
  const pass = [
    'sri-implemented-and-all-scripts-loaded-securely',
    'sri-implemented-and-external-scripts-loaded-securely',
    'sri-not-implemented-response-not-html',
    'sri-not-implemented-but-all-scripts-loaded-from-secure-origin',
    'sri-not-implemented-but-no-scripts-loaded',
  ].includes(final);
  return outcome('subresource-integrity', final, pass, external.length ? `external scripts: ${external.join(', ')}` : `${scripts.length} script tag(s)`);
}

export function xContentTypeOptionsTest(input: ObservatoryInput): TestOutcome {
  const h = joined(input.auto, 'x-content-type-options');
  const result = !h ? 'x-content-type-options-not-implemented' : h.slice(0, 256).trim().toLowerCase() === 'nosniff' ? 'x-content-type-options-nosniff' : 'x-content-type-options-header-invalid';
  return outcome('x-content-type-options', result, result === 'x-content-type-options-nosniff', h);
}

export function xFrameOptionsTest(input: ObservatoryInput): TestOutcome {
  const h = joined(input.auto, 'x-frame-options');
  let result = 'x-frame-options-not-implemented';
  if (h) {
    const xfo = h.slice(0, 1024).trim().toLowerCase();
    result = xfo === 'deny' || xfo === 'sameorigin' ? 'x-frame-options-sameorigin-or-deny' : xfo.startsWith('allow-from') ? 'x-frame-options-allow-from-origin' : 'x-frame-options-header-invalid';
  }
  if (input.auto && analyseCsp(input).data?.has('frame-ancestors')) result = 'x-frame-options-implemented-via-csp';
  const pass = ['x-frame-options-allow-from-origin', 'x-frame-options-sameorigin-or-deny', 'x-frame-options-implemented-via-csp'].includes(result);
  return outcome('x-frame-options', result, pass, h);
}

export function corpTest(input: ObservatoryInput): TestOutcome {
  const header = values(input.auto, 'cross-origin-resource-policy')[0];
  const meta = equiv(input.auto).get('cross-origin-resource-policy')?.at(-1);
  const value = (header ?? meta)?.slice(0, 256).trim().toLowerCase();
  const byValue: Record<string, string> = {
    'same-site': 'corp-implemented-with-same-site',
    'same-origin': 'corp-implemented-with-same-origin',
    'cross-origin': 'corp-implemented-with-cross-origin',
  };
  const result = !value ? 'corp-not-implemented' : (byValue[value] ?? 'corp-header-invalid');
  return outcome('cross-origin-resource-policy', result, result !== 'corp-header-invalid', header ?? meta);
}

/** In the Observatory's order. */
export const OBSERVATORY_TESTS: Array<(input: ObservatoryInput) => TestOutcome> = [
  cspTest,
  cookiesTest,
  corsTest,
  redirectionTest,
  referrerPolicyTest,
  hstsTest,
  sriTest,
  xContentTypeOptionsTest,
  xFrameOptionsTest,
  corpTest,
];
