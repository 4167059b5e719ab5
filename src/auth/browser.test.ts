import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../core/browser.ts';
import { Redactor } from '../core/redact.ts';
import { authSchema, roleSchema } from './config.ts';
import { Authenticator, defaultSend } from './login.ts';

// A login that only works in a browser: the form is built by script, the
// answer is JSON read by script, the token goes to localStorage. A real
// Chromium signs in; the token feeds pdv's HTTP requests. And the module
// login: the user's own code gives the session, or says the app refused.

const PASSWORD = 'pw-canary-3141';
const TOKEN = 'tok-canary-2718-browser';
let server: Server;
let base = '';
const dir = mkdtempSync(join(tmpdir(), 'pdv-auth-modules-'));

const APP = `<!doctype html><html><head><title>Console</title></head><body><div id="root">loading…</div><script>
setTimeout(() => {
  document.getElementById('root').innerHTML = '<h1>Sign in</h1><div id="msg" role="alert"></div><label for=u>User</label><input id=u><label for=p>Password</label><input id=p type=password><button id=go>Sign in</button>';
  document.getElementById('go').onclick = async () => {
    const r = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ u: document.getElementById('u').value, p: document.getElementById('p').value }) });
    if (r.status !== 200) { document.getElementById('msg').textContent = 'Login failed: check your user name and password'; return; }
    localStorage.setItem('auth', JSON.stringify({ access_token: (await r.json()).token }));
    document.getElementById('root').innerHTML = '<h1>Dashboard</h1><button id=logout>Log out</button>';
  };
}, 150);
</script></body></html>`;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += String(c)));
    req.on('end', () => {
      if (req.url === '/api/login') {
        const b = JSON.parse(body) as { u: string; p: string };
        res.writeHead(b.u === 'ann' && b.p === PASSWORD ? 200 : 401, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(b.u === 'ann' && b.p === PASSWORD ? { token: TOKEN } : { error: 'no' }));
      }
      if (req.url === '/api/me') {
        const ok = req.headers.authorization === `Bearer ${TOKEN}`;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(ok ? { user: 'ann' } : { error: 'who' }));
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(APP);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise((r) => server.close(r));
});

function make(auth: Record<string, unknown>, password = PASSWORD) {
  const secrets = new Map([['ANN_PW', password]]);
  const redactor = new Redactor(secrets);
  const a = new Authenticator({ auth: authSchema.parse(auth), roles: { ann: roleSchema.parse({ username: 'ann', passwordEnv: 'ANN_PW' }) }, apiUrl: base, baseUrl: base, rootDir: dir, secrets, redactor, signal: new AbortController().signal });
  return { a, redactor };
}

const browserAuth = { type: 'browser', url: '/', localStorageToken: { key: 'auth', path: 'access_token' }, verify: { path: '/api/me', expect: { json: { user: '{username}' } } }, timeout: 8000 };

describe.skipIf(!findChromium() && process.env.CI !== 'true')('browser sign-in in a real Chromium', () => {
  it("pdv's default steps sign in; the localStorage token feeds HTTP requests and the storage state", async () => {
    const { a, redactor } = make(browserAuth);
    const s = await a.session('ann');
    expect(s.ok, s.ok ? '' : s.message).toBe(true);
    if (!s.ok) return;
    expect(s.how).toBe('browser');
    expect(s.decidedBy).toMatch(/password input went away, and GET \/api\/me answered HTTP 200/);
    const me = await defaultSend({ method: 'GET', url: `${base}/api/me`, headers: s.headersFor(`${base}/api/me`) }, new AbortController().signal, 2000);
    expect(me.status).toBe(200);
    expect(JSON.stringify(s.storageState?.origins)).toContain('access_token');
    expect(JSON.stringify(redactor.deep({ e: s.evidence, m: s.decidedBy }))).not.toContain(TOKEN);
  });

  it("a wrong password is the application's refusal, in its own words", async () => {
    const s = await make(browserAuth, 'wrong-password-2').a.session('ann');
    expect(s).toMatchObject({ ok: false, fault: 'target' });
    if (!s.ok) expect(s.message).toContain('Login failed: check your user name and password');
  });

  it('a step that matches nothing is the harness (errored), naming the step', async () => {
    const s = await make({ ...browserAuth, steps: [{ action: 'fill', selector: '#nope', value: '{username}' }], timeout: 3000 }).a.session('ann');
    expect(s).toMatchObject({ ok: false, fault: 'harness' });
    if (!s.ok) expect(s.message).toMatch(/step 1 of auth\.steps, fill \(selector "#nope"\)/);
  });

  it('declarative steps by label', async () => {
    const steps = [
      { action: 'fill', label: 'User', value: '{username}' },
      { action: 'fill', label: 'Password', value: '{password}' },
      { action: 'click', role: 'button', name: 'Sign in' },
      { action: 'waitFor', selector: '#logout' },
    ];
    const s = await make({ ...browserAuth, steps, success: { selector: '#logout' } }).a.session('ann');
    expect(s.ok, s.ok ? '' : s.message).toBe(true);
  });
});

describe('module sign-in', () => {
  const write = (name: string, body: string): string => {
    writeFileSync(join(dir, name), body);
    return `./${name}`;
  };

  it('a module gives the session; verify checks it', async () => {
    const module = write(
      'login-ok.ts',
      `export default async ({ username, password, apiUrl, fetch, signal }: { username: string; password: string; apiUrl: string; fetch: typeof globalThis.fetch; signal: AbortSignal }) => {
        const r = await fetch(apiUrl + '/api/login', { method: 'POST', body: JSON.stringify({ u: username, p: password }), signal });
        const j = (await r.json()) as { token?: string; error?: string };
        return j.token ? { headers: { authorization: 'Bearer ' + j.token } } : { refused: 'the API said: ' + j.error };
      };`,
    );
    const { a, redactor } = make({ type: 'module', module, verify: { path: '/api/me' } });
    const s = await a.session('ann');
    expect(s).toMatchObject({ ok: true, how: 'module' });
    expect(redactor.text(`token ${TOKEN}`)).not.toContain(TOKEN);
    const bad = await make({ type: 'module', module }, 'wrong-password-3').a.session('ann');
    expect(bad).toMatchObject({ ok: false, fault: 'target' });
    if (!bad.ok) expect(bad.message).toContain('the API said: no');
  });

  it('a module that throws, or returns no session, is the harness', async () => {
    const throws = await make({ type: 'module', module: write('login-throws.ts', `export default async () => { throw new Error('vault unreachable'); };`) }).a.session('ann');
    expect(throws).toMatchObject({ ok: false, fault: 'harness' });
    if (!throws.ok) expect(throws.message).toContain('vault unreachable');
    const empty = await make({ type: 'module', module: write('login-empty.mjs', `export default async () => ({});`) }).a.session('ann');
    expect(empty).toMatchObject({ ok: false, fault: 'harness' });
  });
});
