import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_TOKEN, startCsrfLoginServer, type LoginServer } from '../../e2e/helpers/login-servers.ts';
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
let server: LoginServer;
let base = '';

beforeAll(async () => {
  server = await startCsrfLoginServer({ username: 'ann', password: PASSWORD, session: SESSION });
  base = server.base;
});
afterAll(() => server.close());

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
    for (const v of [PASSWORD, SESSION, CSRF_TOKEN]) expect(text).not.toContain(v);
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

  // Before, a login URL whose host did not resolve failed the critical login check: a rollback on the runner's DNS.
  it('a login host that does not resolve is the harness (errored), a refused connection the target', async () => {
    const secrets = new Map([['ANN_PW', PASSWORD]]);
    const at = (apiUrl: string) => new Authenticator({ auth: authSchema.parse({ type: 'form', url: '/login/' }), roles: { ann: roleSchema.parse({ username: 'ann', passwordEnv: 'ANN_PW' }) }, apiUrl, secrets, redactor: new Redactor(secrets), signal: new AbortController().signal });
    const dns = await at('http://pdv-login-host.invalid').session('ann');
    expect(dns).toMatchObject({ ok: false, fault: 'harness' });
    if (!dns.ok) expect(dns.message).toContain('does not resolve');
    expect(await at('http://127.0.0.1:1').session('ann')).toMatchObject({ ok: false, fault: 'target' });
  });

  it('a form selector that matches nothing is the harness (errored), before any credential is sent', async () => {
    const before = server.posts;
    const { a } = make({ form: 'form#nope' });
    const s = await a.session('ann');
    expect(s).toMatchObject({ ok: false, fault: 'harness' });
    if (!s.ok) expect(s.message).toMatch(/form#nope.*auth\.form/);
    expect(server.posts).toBe(before);
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
