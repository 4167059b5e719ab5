import { describe, expect, it } from 'vitest';
import type { ProbeResponse } from './types.ts';
import { gradeAtLeast, gradeFor, gradeSite } from './index.ts';
import type { ObservatoryInput, TestName } from './types.ts';

// The demo's answers, copied from demo/server.ts and demo/ui/html.ts, graded
// against the MDN HTTP Observatory's published rules (algorithm version 4):
// per-test pass/fail, result and modifier, then the score.

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/static/app.css"><script src="/static/app.js" defer></script></head><body>home</body></html>`;

function res(url: string, headers: Record<string, string>, body = PAGE, status = 200): ProbeResponse {
  return { url, status, body, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v]])), ...(url.startsWith('https:') ? { verified: true } : {}) };
}

const common = {
  'content-type': 'text/html; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};
const hardened = { ...common, 'content-security-policy': CSP, 'strict-transport-security': 'max-age=31536000; includeSubDomains', 'x-frame-options': 'DENY' };

function demo(headers: Record<string, string>, https = true): ObservatoryInput {
  const http = res('http://127.0.0.1:8080/', headers);
  const secure = https ? res('https://127.0.0.1:8443/', headers) : undefined;
  const auto = secure ?? http;
  return {
    auto,
    http,
    ...(secure ? { https: secure } : {}),
    httpRedirects: [{ url: http.url, status: 200 }],
    cors: res(auto.url, { ...headers }, '', 404),
    corsOrigin: 'https://http-observatory.security.mozilla.org',
    setCookies: [],
  };
}

type Row = [TestName, boolean, string, number];

const HEALTHY: Row[] = [
  ['content-security-policy', true, 'csp-implemented-with-no-unsafe', 5],
  ['cookies', true, 'cookies-not-found', 0],
  ['cross-origin-resource-sharing', true, 'cross-origin-resource-sharing-not-implemented', 0],
  ['redirection', false, 'redirection-missing', -20],
  ['referrer-policy', true, 'referrer-policy-private', 5],
  ['strict-transport-security', true, 'hsts-implemented-max-age-at-least-six-months', 0],
  ['subresource-integrity', true, 'sri-not-implemented-but-all-scripts-loaded-from-secure-origin', 0],
  ['x-content-type-options', true, 'x-content-type-options-nosniff', 0],
  ['x-frame-options', true, 'x-frame-options-implemented-via-csp', 5],
  ['cross-origin-resource-policy', true, 'corp-implemented-with-same-origin', 10],
];

const MISSING_HEADERS: Row[] = [
  ['content-security-policy', false, 'csp-not-implemented', -25],
  ['cookies', true, 'cookies-not-found', 0],
  ['cross-origin-resource-sharing', true, 'cross-origin-resource-sharing-not-implemented', 0],
  ['redirection', false, 'redirection-missing', -20],
  ['referrer-policy', true, 'referrer-policy-private', 5],
  ['strict-transport-security', false, 'hsts-not-implemented', -20],
  ['subresource-integrity', true, 'sri-not-implemented-but-all-scripts-loaded-from-secure-origin', 0],
  ['x-content-type-options', true, 'x-content-type-options-nosniff', 0],
  ['x-frame-options', false, 'x-frame-options-not-implemented', -20],
  ['cross-origin-resource-policy', true, 'corp-implemented-with-same-origin', 10],
];

describe('Observatory grader on the demo (healthy, HTTPS on a second port)', () => {
  const g = gradeSite(demo(hardened));
  it.each(HEALTHY)('%s: pass=%s, %s (%i)', (name, pass, result, modifier) => {
    const t = g.tests.find((x) => x.name === name);
    expect(t).toMatchObject({ pass, result, modifier });
  });
  it('scores 80 (bonuses dropped: 80 < 90), grade B+', () => {
    expect(g).toMatchObject({ score: 80, grade: 'B+', testsPassed: 9, testsFailed: 1 });
  });
});

describe('Observatory grader on the demo with missing-security-headers', () => {
  const g = gradeSite(demo(common));
  it.each(MISSING_HEADERS)('%s: pass=%s, %s (%i)', (name, pass, result, modifier) => {
    const t = g.tests.find((x) => x.name === name);
    expect(t).toMatchObject({ pass, result, modifier });
  });
  it('scores 15, grade F', () => {
    expect(g).toMatchObject({ score: 15, grade: 'F', testsFailed: 4 });
  });
});

describe('Observatory grader rules', () => {
  it('plain HTTP only: no HSTS possible (-20) and no redirect (-20) → C+', () => {
    const g = gradeSite(demo(hardened, false));
    expect(g.tests.find((t) => t.name === 'strict-transport-security')?.result).toBe('hsts-not-implemented-no-https');
    expect([g.score, g.grade]).toEqual([60, 'C+']);
  });

  it('a redirect to HTTPS on the same host passes, and bonuses count above 90 (A+)', () => {
    const input = demo(hardened);
    input.httpRedirects = [
      { url: 'http://example.test/', status: 301 },
      { url: 'https://example.test/', status: 200 },
    ];
    const g = gradeSite(input);
    expect(g.tests.find((t) => t.name === 'redirection')?.result).toBe('redirection-to-https');
    expect([g.score, g.grade]).toEqual([125, 'A+']);
  });

  it.each([
    ['redirect to another host over HTTPS', ['http://a.test/', 'https://b.test/'], 'redirection-off-host-from-http', -5],
    ['first hop stays on HTTP', ['http://a.test/', 'http://a.test/x', 'https://a.test/'], 'redirection-not-to-https-on-initial-redirection', -10],
    ['final destination is HTTP', ['http://a.test/', 'http://b.test/'], 'redirection-not-to-https', -20],
  ])('redirection: %s', (_label, urls, result, modifier) => {
    const input = demo(hardened);
    input.httpRedirects = urls.map((url) => ({ url, status: 301 }));
    expect(gradeSite(input).tests.find((t) => t.name === 'redirection')).toMatchObject({ result, modifier });
  });

  it.each([
    ["script-src 'self' 'unsafe-inline'", 'csp-implemented-with-unsafe-inline', -20, false],
    ["default-src 'none'", 'csp-implemented-with-no-unsafe-default-src-none', 10, true],
    ["default-src 'self'; script-src 'self' 'unsafe-eval'", 'csp-implemented-with-unsafe-eval', -10, false],
    ["default-src 'self'; style-src 'self' 'unsafe-inline'", 'csp-implemented-with-unsafe-inline-in-style-src-only', 0, true],
    ["default-src 'self'; default-src 'none'", 'csp-header-invalid', -25, false],
    ["default-src 'self'; script-src 'nonce-abc' 'unsafe-inline'", 'csp-implemented-with-no-unsafe', 5, true],
    ["default-src 'self'; script-src 'strict-dynamic'", 'csp-header-invalid', -25, false],
    ["default-src 'self'; img-src http:", 'csp-implemented-with-insecure-scheme-in-passive-content-only', -10, true],
  ])('CSP %s → %s', (csp, result, modifier, pass) => {
    const t = gradeSite(demo({ ...hardened, 'content-security-policy': csp })).tests.find((x) => x.name === 'content-security-policy');
    expect(t).toMatchObject({ result, modifier, pass });
  });

  it.each([
    [['sid=1; Path=/'], 'cookies-without-secure-flag-but-protected-by-hsts', -5],
    [['sessionid=1; Path=/; Secure'], 'cookies-session-without-httponly-flag', -30],
    [['sessionid=1; Path=/; HttpOnly'], 'cookies-session-without-secure-flag-but-protected-by-hsts', -10],
    [['a=1; Secure; SameSite=Bogus'], 'cookies-samesite-flag-invalid', -20],
    [['sessionid=1; Secure; HttpOnly; SameSite=Lax'], 'cookies-secure-with-httponly-sessions-and-samesite', 5],
    [['sessionid=1; Secure; HttpOnly'], 'cookies-secure-with-httponly-sessions', 0],
  ])('cookies %j → %s', (setCookies, result, modifier) => {
    const input = demo(hardened);
    input.setCookies = setCookies;
    expect(gradeSite(input).tests.find((t) => t.name === 'cookies')).toMatchObject({ result, modifier });
  });

  it('session cookie without Secure over plain HTTP costs 40', () => {
    const input = demo(common, false);
    input.setCookies = ['login_token=1; Path=/'];
    expect(gradeSite(input).tests.find((t) => t.name === 'cookies')).toMatchObject({ result: 'cookies-session-without-secure-flag', modifier: -40, pass: false });
  });

  it('CORS: the preflight origin reflected with credentials is universal access (-50)', () => {
    const input = demo(hardened);
    input.cors = res(input.auto?.url ?? '', { 'access-control-allow-origin': input.corsOrigin, 'access-control-allow-credentials': 'true' }, '', 204);
    expect(gradeSite(input).tests.find((t) => t.name === 'cross-origin-resource-sharing')).toMatchObject({ result: 'cross-origin-resource-sharing-implemented-with-universal-access', modifier: -50, pass: false });
  });

  it.each([
    ['max-age=86400', 'hsts-implemented-max-age-less-than-six-months', -10],
    ['includeSubDomains', 'hsts-header-invalid', -20],
  ])('HSTS %s → %s', (hsts, result, modifier) => {
    expect(gradeSite(demo({ ...hardened, 'strict-transport-security': hsts })).tests.find((t) => t.name === 'strict-transport-security')).toMatchObject({ result, modifier });
  });

  it('an unverified certificate chain voids HSTS', () => {
    const input = demo(hardened);
    if (input.https) input.https.verified = false;
    expect(gradeSite(input).tests.find((t) => t.name === 'strict-transport-security')?.result).toBe('hsts-invalid-cert');
  });

  it.each([
    ['<script src="http://cdn.other.test/x.js"></script>', 'sri-not-implemented-and-external-scripts-not-loaded-securely', -50],
    ['<script src="https://cdn.other.test/x.js"></script>', 'sri-not-implemented-but-external-scripts-loaded-securely', -5],
    ['<script src="https://cdn.other.test/x.js" integrity="sha384-x" crossorigin="anonymous"></script>', 'sri-implemented-and-external-scripts-loaded-securely', 5],
    ['<p>no scripts</p>', 'sri-not-implemented-but-no-scripts-loaded', 0],
  ])('SRI %s → %s', (body, result, modifier) => {
    const input = demo(hardened);
    if (input.auto) input.auto = { ...input.auto, url: 'https://www.example.test/', body };
    expect(gradeSite(input).tests.find((t) => t.name === 'subresource-integrity')).toMatchObject({ result, modifier });
  });

  it('reads CSP and Referrer-Policy from <meta http-equiv> too', () => {
    const body = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'"><meta http-equiv="Referrer-Policy" content="unsafe-url">`;
    const input = demo(common);
    if (input.auto) input.auto = { ...input.auto, body };
    const g = gradeSite(input);
    expect(g.tests.find((t) => t.name === 'content-security-policy')?.result).toBe('csp-implemented-with-no-unsafe-default-src-none');
    expect(g.tests.find((t) => t.name === 'referrer-policy')?.result).toBe('referrer-policy-unsafe');
  });

  it.each([
    [100, 'A+'], [95, 'A'], [90, 'A'], [89, 'A-'], [80, 'B+'], [79, 'B'], [65, 'B-'], [60, 'C+'], [50, 'C'], [45, 'C-'], [40, 'D+'], [30, 'D'], [25, 'D-'], [24, 'F'], [-10, 'F'],
  ])('score %i → %s', (score, grade) => {
    expect(gradeFor(score)).toBe(grade);
  });

  it('compares grades', () => {
    expect(gradeAtLeast('B+', 'B')).toBe(true);
    expect(gradeAtLeast('C+', 'B')).toBe(false);
    expect(gradeAtLeast('A+', 'A+')).toBe(true);
  });
});
