import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { serveHttp, testRun } from '../_test-run.ts';
import { accessChecks } from './access.ts';
import { findLoginForm } from './forms.ts';
import { Logins } from './login.ts';
import { openRedirectCheck } from './open-redirect.ts';
import { rateLimitCheck } from './rate-limit.ts';
import { csrfRefusal, loginRedirect, notProcessed } from './refusal.ts';

// Probes count only when the application processed them: a CSRF-protected
// login form is submitted as a browser submits it (and so really tested), an
// API that says "no" in a 200 with errors is judged by what it says.

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
async function serve(h: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
  const s = await serveHttp(h);
  closers.push(s.close);
  return s.url;
}

const res = (status: number, body = '', headers: Record<string, string[]> = {}) => ({ url: 'http://h/x', status, headers, body });

describe('refusal rules', () => {
  it.each([
    [res(403, '<h1>Forbidden (403)</h1><p>CSRF verification failed. Request aborted.</p>'), /CSRF/],
    [res(419, 'Page Expired'), /419/],
    [res(422, "ActionController::InvalidAuthenticityToken"), undefined],
    [res(403, 'Invalid authenticity token'), /CSRF/],
    [res(403, '<p>You do not have permission.</p>'), undefined],
    [res(200, 'csrf'), undefined],
  ])('csrfRefusal %#', (r, want) => {
    const got = csrfRefusal(r);
    if (want) expect(got).toMatch(want);
    else expect(got).toBeUndefined();
  });

  it('a redirect to a login page is "not signed in"; a redirect elsewhere is an answer', () => {
    expect(loginRedirect(res(302, '', { location: ['/accounts/login/?next=/x'] }), 'http://h/x')).toMatch(/login page/);
    expect(loginRedirect(res(302, '', { location: ['/users/sign_in'] }), 'http://h/x')).toMatch(/login page/);
    expect(loginRedirect(res(302, '', { location: ['/portal/enter'] }), 'http://h/x', ['/portal/enter'])).toMatch(/login page/);
    expect(loginRedirect(res(303, '', { location: ['/projects/42'] }), 'http://h/x')).toBeUndefined();
    expect(notProcessed(res(401), 'http://h/x', { signedIn: true })).toMatch(/session was not accepted/);
    expect(notProcessed(res(401), 'http://h/x')).toBeUndefined();
  });

  it('finds the login form with its hidden fields and action', () => {
    const html = `<form action="/search"><input name="q"></form><form method="POST" action="/accounts/login/?next=%2F"><input type='hidden' name='csrfmiddlewaretoken' value='a&amp;b'><input name=username><input type="password" name="password"><input type="checkbox" name="remember"><input type="submit" name="go" value="Go"></form>`;
    expect(findLoginForm(html, 'http://h/accounts/login/')).toEqual({ action: 'http://h/accounts/login/?next=%2F', method: 'POST', fields: [['csrfmiddlewaretoken', 'a&b'], ['username', ''], ['password', ''], ['go', 'Go']] });
    // (the submit button's name and value, as a browser sends the button it clicked)
  });
});

/** A framework-style login: GET sets a CSRF cookie and hidden field; POST without both is refused 403. */
function csrfLoginApp(o: { validatesNext: boolean }): Promise<string> {
  return serve((req, body, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== '/accounts/login/') return res.writeHead(404).end('not found');
    if (req.method === 'GET') {
      const token = Math.random().toString(36).slice(2);
      const asked = u.searchParams.get('next') ?? '';
      // Like Django's LoginView: an unsafe next is dropped from the page too.
      const next = !o.validatesNext || (asked.startsWith('/') && !asked.startsWith('//')) ? asked : '';
      return res
        .writeHead(200, { 'content-type': 'text/html', 'set-cookie': `csrftoken=${token}; Path=/; SameSite=Lax` })
        .end(`<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="${token}"><input type="hidden" name="next" value="${next.replace(/"/g, '&quot;')}"><input name="username"><input type="password" name="password"></form>`);
    }
    const p = new URLSearchParams(body);
    const cookie = /csrftoken=([a-z0-9]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (!cookie || cookie !== p.get('csrfmiddlewaretoken')) return res.writeHead(403, { 'content-type': 'text/html' }).end('<h1>Forbidden (403)</h1><p>CSRF verification failed. Request aborted.</p>');
    if (p.get('username') !== 'viewer' || p.get('password') !== 'viewer-pw-123') return res.writeHead(200, { 'content-type': 'text/html' }).end('<p>Please enter a correct username and password.</p><form method="post"><input type="password" name="password"></form>');
    const next = p.get('next') ?? '/';
    const safe = o.validatesNext ? (next.startsWith('/') && !next.startsWith('//') ? next : '/') : next;
    res.writeHead(302, { location: safe, 'set-cookie': 'sessionid=s3ss; HttpOnly; Path=/' }).end();
  });
}

describe('open redirect through a CSRF-protected login form', () => {
  const config = { openRedirect: { path: '/accounts/login/', param: 'next', form: { role: 'viewer' } } };
  const credentials = { viewer: { username: 'viewer', password: 'viewer-pw-123' } };

  it('signs in through the form (token and cookie carried) and finds the redirect off-site', async () => {
    const url = await csrfLoginApp({ validatesNext: false });
    const c = await openRedirectCheck(testRun({ webUrl: url, config, credentials }));
    expect(c.status, c.message).toBe('failed');
    expect(c.message).toMatch(/POST \/accounts\/login\/ \(login as viewer\) next=https:\/\/pdv-open-redirect\.example\/: 302 Location: https:\/\/pdv-open-redirect\.example\//);
    expect(JSON.stringify(c)).not.toContain('viewer-pw-123');
  });

  it('passes the same app when it keeps next on-site, after a real sign-in', async () => {
    const url = await csrfLoginApp({ validatesNext: true });
    const c = await openRedirectCheck(testRun({ webUrl: url, config, credentials }));
    expect(c.status, c.message).toBe('passed');
    expect(c.message).toMatch(/sign-in included/);
  });

  it('a wrong password (the form answered again) is not a tested probe: errored, never passed', async () => {
    const url = await csrfLoginApp({ validatesNext: true });
    const c = await openRedirectCheck(testRun({ webUrl: url, config, credentials: { viewer: { username: 'viewer', password: 'nope-nope' } } }));
    expect(c.status).toBe('errored');
    expect(c.message).toMatch(/login form was answered again/);
  });

  it('the rate-limit probe posts the same form with its token: the login answers, not the CSRF guard', async () => {
    const url = await csrfLoginApp({ validatesNext: true });
    const c = await rateLimitCheck(testRun({ apiUrl: url, config: { rateLimit: { path: '/accounts/login/', body: 'form', attempts: 3 } } }));
    expect(c.status, c.message).toBe('failed');
    expect(c.message).toMatch(/after 3 failed logins .*answers: 200/);
  });

  it('the rate-limit probe refused for CSRF (a JSON post to a form login) is errored with the fix', async () => {
    const url = await csrfLoginApp({ validatesNext: true });
    const c = await rateLimitCheck(testRun({ apiUrl: url, config: { rateLimit: { path: '/accounts/login/', attempts: 3 } } }));
    expect(c.status).toBe('errored');
    expect(c.message).toMatch(/CSRF.*body to "form"/);
  });
});

describe('access rules judge what the API says', () => {
  /** A GraphQL-style endpoint: every answer is 200; "no" is an errors array. */
  function graphql(o: { broken: boolean }): Promise<string> {
    return serve((req, body, res) => {
      if (req.url !== '/graphql') return res.writeHead(404).end();
      const anonymous = !req.headers.authorization;
      const mutation = /mutation/.test(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      if (anonymous && mutation && !o.broken) return res.end(JSON.stringify({ data: null, errors: [{ message: 'permission denied for createProject' }] }));
      res.end(JSON.stringify({ data: { createProject: { id: 7 } } }));
    });
  }
  const rule = {
    name: 'anonymous-cannot-create',
    method: 'POST',
    path: '/graphql',
    role: 'anonymous',
    body: { query: 'mutation { createProject(title: "pdv") { id } }' },
    expect: { status: 200, json: { 'errors.0.message': { matches: 'permission denied' } } },
  };

  it('passes the API that refuses in a 200 + errors, fails the one that creates', async () => {
    for (const [broken, status] of [[false, 'passed'], [true, 'failed']] as const) {
      const url = await graphql({ broken });
      const r = testRun({ apiUrl: url, config: { access: { rules: [rule] } } });
      const [c] = await accessChecks(r, new Logins(r));
      expect(c?.status, c?.message).toBe(status);
      if (broken) expect(c?.message).toMatch(/errors\.0\.message: missing/);
    }
  });

  it('a status list still works as before', async () => {
    const url = await graphql({ broken: false });
    const r = testRun({ apiUrl: url, config: { access: { rules: [{ path: '/graphql', role: 'anonymous', expect: [401, 403] }] } } });
    const [c] = await accessChecks(r, new Logins(r));
    expect(c).toMatchObject({ status: 'failed', observed: 200, limit: '401|403' });
  });
});
