import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../core/redact.ts';
import { authSchema, roleSchema } from './config.ts';
import { Authenticator, defaultSend } from './login.ts';
import { Jar } from './session.ts';

// A server-rendered login as the common frameworks do it (Django's shape): the
// page sets a CSRF cookie and a hidden field, a POST without both is refused
// 403 "CSRF verification failed", a wrong password answers 200 with the form
// and an error note, a right one redirects away with a session cookie.

const PASSWORD = 'pw-canary-8812';
const SESSION = 'sess-canary-77aa';
let server: Server;
let base = '';
let posts = 0;

function page(error = '', token = 'csrf-canary-5566'): string {
  return `<!doctype html><html><head><title>Log in | Site admin</title><style>.errornote{color:red} body{font:12px}</style></head><body>
<h1>Site administration</h1>${error ? `<p class="errornote">${error}</p>` : ''}
<form action="/login/?next=/home" method="post" id="login-form"><input type="hidden" name="csrfmiddlewaretoken" value="${token}">
<label>Username <input type="text" name="username" autofocus></label><label>Password <input type="password" name="password"></label>
<input type="submit" value="Log in"></form></body></html>`;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += String(c)));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const cookie = req.headers.cookie ?? '';
      const html = (status: number, text: string, headers: Record<string, string | string[]> = {}): void => {
        res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
        res.end(text);
      };
      if (url.pathname === '/login/' && req.method === 'GET') return html(200, url.searchParams.get('land') === 'account' ? page().replace('?next=/home', '?next=/account/') : page(), { 'set-cookie': 'csrftoken=csrf-canary-5566; Path=/; SameSite=Lax' });
      if (url.pathname === '/login/' && req.method === 'POST') {
        posts++;
        const f = new URLSearchParams(body);
        if (!cookie.includes('csrftoken=csrf-canary-5566') || f.get('csrfmiddlewaretoken') !== 'csrf-canary-5566' || !req.headers.referer) {
          return html(403, '<html><head><title>403 Forbidden</title></head><body><h1>Forbidden <span>(403)</span></h1><p>CSRF verification failed. Request aborted.</p></body></html>');
        }
        if (f.get('username') === 'ann' && f.get('password') === PASSWORD) return html(302, '', { location: url.searchParams.get('next') ?? '/', 'set-cookie': [`sessionid=${SESSION}; Path=/; HttpOnly`, `securesid=${SESSION}-s; Path=/; Secure`] });
        return html(200, page('Please enter a correct username and password. Note that both fields may be case-sensitive.'));
      }
      if (url.pathname === '/js-login/') return html(200, '<html><body><div id="app"></div><script>render()</script></body></html>');
      if (url.pathname === '/nolanding/' && req.method === 'GET') return html(200, page().replace('/login/?next=/home', '/nolanding/'), { 'set-cookie': 'csrftoken=csrf-canary-5566; Path=/' });
      if (url.pathname === '/nolanding/' && req.method === 'POST') return html(200, '<html><body><p>ok</p></body></html>', { 'set-cookie': 'sessionid=not-a-session; Path=/' });
      if (url.pathname === '/account/') {
        // Signed in, on a page that holds another password form.
        if (cookie.includes(`sessionid=${SESSION}`)) return html(200, '<form action="/password_change/" method="post"><input type="password" name="old"><input type="password" name="new"></form>');
        return html(302, '', { location: '/login/?next=/account/' });
      }
      if (url.pathname === '/home') {
        if (cookie.includes(`sessionid=${SESSION}`)) return html(200, '<html><body><h1>Welcome, ann</h1></body></html>');
        return html(302, '', { location: '/login/?next=/home' });
      }
      if (url.pathname === '/secure-echo') return html(200, cookie);
      html(404, '<h1>Not found</h1>');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

function make(auth: Record<string, unknown>, password = PASSWORD) {
  const secrets = new Map([['ANN_PW', password]]);
  const redactor = new Redactor(secrets);
  const a = new Authenticator({ auth: authSchema.parse({ type: 'form', url: '/login/', ...auth }), roles: { ann: roleSchema.parse({ username: 'ann', passwordEnv: 'ANN_PW' }) }, apiUrl: base, secrets, redactor, signal: new AbortController().signal });
  return { a, redactor };
}

describe('form login as a browser submits it', () => {
  it('keeps the hidden CSRF field and cookie, follows the redirect away, and the session works', async () => {
    const { a, redactor } = make({});
    const s = await a.session('ann');
    expect(s.ok, s.ok ? '' : s.message).toBe(true);
    if (!s.ok) return;
    expect(s.decidedBy).toContain('redirect away from the login page');
    // The session cookies are the answer's to the credentials, not the login page's CSRF cookie.
    expect(s.setCookies.join('\n')).toContain('sessionid=');
    expect(s.setCookies.join('\n')).not.toContain('csrftoken=');
    const home = await defaultSend({ method: 'GET', url: `${base}/home`, headers: s.headersFor(`${base}/home`) }, new AbortController().signal, 2000);
    expect(home.body).toContain('Welcome, ann');
    const text = JSON.stringify(redactor.deep(s.evidence));
    for (const v of [PASSWORD, SESSION, 'csrf-canary-5566']) expect(text).not.toContain(v);
  });

  it('a page after sign-in that holds another password form (change password) is not the login form again', async () => {
    const s = await make({ url: '/login/?land=account' }).a.session('ann');
    expect(s.ok, s.ok ? '' : s.message).toBe(true);
    if (s.ok) expect(s.decidedBy).toContain('to /account/');
  });

  it('a wrong password answered 200 with the form again is a refusal quoting the page, not CSS', async () => {
    const { a } = make({}, 'wrong-password-1');
    const s = await a.session('ann');
    expect(s).toMatchObject({ ok: false, fault: 'target' });
    if (s.ok) return;
    expect(s.message).toContain('Please enter a correct username and password');
    expect(s.message).not.toContain('color:red');
  });

  it('a form selector that matches nothing is the harness (errored), before any credential is sent', async () => {
    const before = posts;
    const { a } = make({ form: 'form#nope' });
    const s = await a.session('ann');
    expect(s).toMatchObject({ ok: false, fault: 'harness' });
    if (!s.ok) expect(s.message).toMatch(/form#nope.*auth\.form/);
    expect(posts).toBe(before);
  });

  it('a page with no form (built by JavaScript) says to use the browser login', async () => {
    const { a } = make({ url: '/js-login/' });
    const s = await a.session('ann');
    expect(s).toMatchObject({ ok: false, fault: 'harness' });
    if (!s.ok) expect(s.message).toContain("auth.type 'browser'");
  });

  it('a CSRF refusal after pdv sent what the page gave is the harness, not the target', async () => {
    // Posting straight to the login URL (no page) is what the old form login did: 403 CSRF.
    const { a } = make({ url: '/login/', fields: { csrfmiddlewaretoken: 'forged' } });
    const s = await a.session('ann');
    expect(s).toMatchObject({ ok: false, fault: 'harness' });
    if (!s.ok) expect(s.message).toContain('CSRF verification failed');
  });

  it('HTTP 200 without the form and without a redirect cannot be judged without a success rule', async () => {
    const undecided = await make({ url: '/nolanding/' }).a.session('ann');
    expect(undecided).toMatchObject({ ok: false, fault: 'harness' });
    if (!undecided.ok) expect(undecided.message).toMatch(/auth\.success or auth\.verify/);
    const decided = await make({ url: '/nolanding/', success: { cookie: 'sessionid' } }).a.session('ann');
    expect(decided).toMatchObject({ ok: true, decidedBy: 'the success rule (cookie)' });
  });

  it('a verify request that does not answer as the user is a refusal', async () => {
    const ok = await make({ verify: { path: '/home', expect: { status: 200, bodyContains: 'Welcome, {username}' } } }).a.session('ann');
    expect(ok.ok && ok.decidedBy).toMatch(/redirect away.*and GET \/home answered HTTP 200/);
    const bad = await make({ url: '/nolanding/', verify: { path: '/home', expect: { status: 200 } } }).a.session('ann');
    expect(bad).toMatchObject({ ok: false, fault: 'target' });
    if (!bad.ok) expect(bad.message).toMatch(/session check GET \/home does not answer as ann/);
  });

  it('the jar honours Secure, Domain, Path and expiry', () => {
    const jar = new Jar();
    jar.store('https://app.example/login', ['sid=s1; Path=/; Secure; HttpOnly', 'pref=p1; Path=/account', 'wide=w1; Domain=app.example; Path=/', 'old=o1; Path=/; Max-Age=0']);
    expect(jar.header('https://app.example/')).toBe('sid=s1; wide=w1');
    // A Secure cookie never goes over plain HTTP (loopback excepted, as browsers do).
    expect(jar.header('http://app.example/')).toBe('wide=w1');
    expect(jar.header('https://app.example/account/x')).toContain('pref=p1');
    expect(jar.header('https://api.app.example/')).toBe('wide=w1');
    expect(jar.header('https://other.example/')).toBe('');
  });
});
