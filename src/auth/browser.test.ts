import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptLoginServer, type LoginServer } from '../../e2e/helpers/login-servers.ts';
import { findChromium } from '../platform/browser.ts';
import { Redactor } from '../core/redact.ts';
import { authSchema, roleSchema } from './config.ts';
import { Authenticator, defaultSend } from './login.ts';

// A login that only works in a browser: the form is built by script, the
// answer is JSON read by script, the token goes to localStorage. A real
// Chromium signs in; the token feeds pdv's HTTP requests. And the module
// login: the user's own code gives the session, or says the app refused.

const PASSWORD = 'pw-canary-3141';
const TOKEN = 'tok-canary-2718-browser';
let server: LoginServer;
let base = '';
const dir = mkdtempSync(join(tmpdir(), 'pdv-auth-modules-'));

beforeAll(async () => {
  server = await startScriptLoginServer({ username: 'ann', password: PASSWORD, token: TOKEN });
  base = server.base;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server.close();
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
