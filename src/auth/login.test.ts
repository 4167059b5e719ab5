import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../core/redact.ts';
import { authSchema, roleSchema, type AuthConfig, type RoleConfig } from './config.ts';
import { Authenticator, planAuth } from './login.ts';
import { defaultSend } from './login.ts';

// A real loopback server speaking each login dialect; each strategy must give
// headers the server's protected endpoint accepts.

const PASSWORD = 'pw-canary-4711';
const TOKEN = 'tok-canary-0815-abcdef';
const COOKIE = 'sess-canary-9999';
let server: Server;
let base = '';
let logins = 0;

async function bodyOf(req: IncomingMessage): Promise<string> {
  let b = '';
  for await (const c of req) b += String(c);
  return b;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      const json = (status: number, v: unknown, headers: Record<string, string | string[]> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(v));
      };
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/json-login' && req.method === 'POST') {
        const b = JSON.parse(body) as Record<string, unknown>;
        if (b.email === 'ann' && b.pass === PASSWORD && b.remember === true) return json(200, { data: { token: TOKEN }, user: { id: 7 } });
        return json(401, { error: 'bad credentials' });
      }
      if (url.pathname === '/npm-login' && req.method === 'PUT') {
        logins++;
        const ok = req.headers.authorization === `Basic ${Buffer.from(`ann:${PASSWORD}`).toString('base64')}`;
        return ok ? json(201, { ok: true, token: TOKEN }) : json(409, { error: 'registration disabled' });
      }
      if (url.pathname === '/throttled') return json(429, { error: 'too many attempts' }, { 'retry-after': '60' });
      if (url.pathname.startsWith('/-/user/org.couchdb.user:') && req.method === 'PUT') {
        const b = JSON.parse(body) as Record<string, unknown>;
        const name = decodeURIComponent(url.pathname.split(':').pop() ?? '');
        return b.name === name && b.password === PASSWORD ? json(201, { ok: true, token: TOKEN }) : json(409, { error: 'bad' });
      }
      if (url.pathname === '/form-login' && req.method === 'POST') {
        const f = new URLSearchParams(body);
        if (f.get('user') === 'ann' && f.get('password') === PASSWORD) return json(200, { ok: true }, { 'set-cookie': [`sid=${COOKIE}; Path=/; HttpOnly; SameSite=Strict`, 'theme=dark; Path=/'] });
        return json(403, { error: 'no' });
      }
      if (url.pathname === '/oauth/token' && req.method === 'POST') {
        const f = new URLSearchParams(body);
        const basic = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString() : undefined;
        const client = basic ?? `${f.get('client_id')}:${f.get('client_secret') ?? ''}`;
        if (f.get('grant_type') === 'password' && f.get('username') === 'ann' && f.get('password') === PASSWORD && client.startsWith('web-app:')) {
          return json(200, { access_token: `${TOKEN}-${f.get('scope') ?? 'none'}`, token_type: 'Bearer' });
        }
        if (f.get('grant_type') === 'client_credentials' && client === 'svc:svc-secret-canary') return json(200, { access_token: `${TOKEN}-svc`, token_type: 'Bearer' });
        return json(400, { error: 'invalid_grant' });
      }
      if (url.pathname === '/me') {
        const a = req.headers.authorization ?? '';
        const c = req.headers.cookie ?? '';
        if (a === `Bearer ${TOKEN}` || a.startsWith(`Bearer ${TOKEN}-`) || c.includes(`sid=${COOKIE}`) || a === `Basic ${Buffer.from(`ann:${PASSWORD}`).toString('base64')}`) {
          return json(200, { ok: true, auth: a || c });
        }
        return json(401, { error: 'who are you' });
      }
      json(404, {});
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const secrets = new Map([
  ['ANN_PW', PASSWORD],
  ['ANN_TOKEN', TOKEN],
  ['ANN_COOKIE', `sid=${COOKIE}`],
  ['SVC_SECRET', 'svc-secret-canary'],
]);

function make(auth: unknown, role: unknown = { username: 'ann', passwordEnv: 'ANN_PW' }) {
  const redactor = new Redactor(secrets);
  const a = new Authenticator({
    ...(auth ? { auth: authSchema.parse(auth) } : {}),
    roles: { ann: roleSchema.parse(role) },
    apiUrl: base,
    secrets,
    redactor,
    signal: new AbortController().signal,
  });
  return { a, redactor };
}

async function me(headers: Record<string, string>): Promise<number> {
  return (await defaultSend({ method: 'GET', url: `${base}/me`, headers }, new AbortController().signal, 2000)).status;
}

describe('Authenticator', () => {
  it.each<[string, unknown, unknown]>([
    ['json body with extra fields and a nested token', { type: 'json', url: '/json-login', usernameField: 'email', passwordField: 'pass', fields: { remember: true }, tokenPath: 'data.token', userIdPath: 'user.id' }, undefined],
    ['json PUT with the username in the URL', { type: 'json', method: 'PUT', url: '/-/user/org.couchdb.user:{username}', usernameField: 'name', tokenPath: 'token' }, undefined],
    ['form-encoded login setting a session cookie', { type: 'form', url: '/form-login', usernameField: 'user' }, undefined],
    ['OAuth2 password grant with a per-role scope', { type: 'oauth2-password', tokenUrl: '/oauth/token', clientId: 'web-app' }, { username: 'ann', passwordEnv: 'ANN_PW', scope: 'read:projects' }],
    ['OAuth2 client credentials (basic client auth)', { type: 'oauth2-client-credentials', tokenUrl: '/oauth/token', clientId: 'svc', clientSecretEnv: 'SVC_SECRET', clientAuth: 'basic' }, {}],
    ['pre-issued bearer token from the environment', { type: 'bearer' }, { tokenEnv: 'ANN_TOKEN' }],
    ['pre-issued session cookie from the environment', { type: 'cookie' }, { cookieEnv: 'ANN_COOKIE' }],
    ['HTTP basic', { type: 'basic' }, undefined],
    ['a role token wins without any environment login', undefined, { tokenEnv: 'ANN_TOKEN' }],
  ])('%s', async (_name, auth, role) => {
    const { a, redactor } = make(auth, role);
    const s = await a.session('ann');
    expect(s.ok, s.ok ? '' : s.message).toBe(true);
    if (!s.ok) return;
    expect(await me(s.headers)).toBe(200);
    // Nothing the session carries leaks through its evidence.
    const text = JSON.stringify(redactor.deep(s.evidence));
    for (const v of [PASSWORD, TOKEN, COOKIE, 'svc-secret-canary']) expect(text).not.toContain(v);
  });

  it('sends the per-role scope and remembers the user id', async () => {
    const { a } = make({ type: 'json', url: '/json-login', usernameField: 'email', passwordField: 'pass', fields: { remember: true }, tokenPath: 'data.token', userIdPath: 'user.id' });
    const s = await a.session('ann');
    expect(s).toMatchObject({ ok: true, userId: '7', how: 'login' });
    const o = make({ type: 'oauth2-password', tokenUrl: '/oauth/token', clientId: 'web-app' }, { username: 'ann', passwordEnv: 'ANN_PW', scope: 'admin' });
    const t = await o.a.session('ann');
    expect(t.ok && t.token).toBe(`${TOKEN}-admin`);
  });

  it('a login the target refuses is evidence (ok: false naming the status), with the password blanked', async () => {
    const { a, redactor } = make({ type: 'json', url: '/json-login', tokenPath: 'data.token' });
    const s = await a.session('ann');
    expect(s.ok).toBe(false);
    if (s.ok) return;
    expect(s.message).toContain('HTTP 401');
    expect(JSON.stringify(redactor.deep(s.evidence))).not.toContain(PASSWORD);
  });

  it('a 2xx without the token at the configured path is not a session', async () => {
    const { a } = make({ type: 'json', url: '/json-login', usernameField: 'email', passwordField: 'pass', fields: { remember: true }, tokenPath: 'access_token' });
    const s = await a.session('ann');
    expect(s).toMatchObject({ ok: false });
    if (!s.ok) expect(s.message).toContain('no token at "access_token"');
  });

  it('can send basic credentials with a JSON login (npm-style), never leaking them', async () => {
    const { a, redactor } = make({ type: 'json', method: 'PUT', url: '/npm-login', usernameField: 'name', tokenPath: 'token', basic: true });
    const s = await a.session('ann');
    expect(s.ok).toBe(true);
    expect(JSON.stringify(redactor.deep(s.evidence))).not.toContain(Buffer.from(`ann:${PASSWORD}`).toString('base64'));
  });

  it('a throttled login reports the status it got', async () => {
    const { a } = make({ type: 'json', url: '/throttled', tokenPath: 'token' });
    expect(await a.session('ann')).toMatchObject({ ok: false, status: 429 });
  });

  it('one sign-in per role per run, shared by every stage', async () => {
    const { sharedAuthenticator } = await import('./shared.ts');
    const { authSchema: schema } = await import('./config.ts');
    const redactor = new Redactor(secrets);
    const environment = { auth: schema.parse({ type: 'json', method: 'PUT', url: '/npm-login', usernameField: 'name', tokenPath: 'token', basic: true }), credentials: { ann: { username: 'ann', passwordEnv: 'ANN_PW' } } };
    logins = 0;
    const first = sharedAuthenticator({ environment, secrets, redactor, apiUrl: base });
    const second = sharedAuthenticator({ environment, secrets, redactor, apiUrl: base });
    expect(second).toBe(first);
    await first.session('ann');
    await second.session('ann');
    expect(logins).toBe(1);
    // Another run (another redactor) signs in again.
    await sharedAuthenticator({ environment, secrets, redactor: new Redactor(secrets), apiUrl: base }).session('ann');
    expect(logins).toBe(2);
  });

  it('signs in once per role', async () => {
    const { a } = make({ type: 'form', url: '/form-login', usernameField: 'user' });
    const [x, y] = await Promise.all([a.session('ann'), a.session('ann')]);
    expect(x).toBe(y);
  });
});

describe('planAuth', () => {
  const roles = (r: Record<string, unknown>): Record<string, RoleConfig> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, roleSchema.parse(v)]));
  const json: AuthConfig = authSchema.parse({ type: 'json', url: '/login', tokenPath: 'token' });

  it.each<[string, AuthConfig | undefined, Record<string, unknown>, RegExp | undefined]>([
    ['password role with its secret set', json, { a: { username: 'ann', passwordEnv: 'ANN_PW' } }, undefined],
    ['password not set in the environment', json, { a: { username: 'ann', passwordEnv: 'NOPE_PW' } }, /passwordEnv NOPE_PW is not set/],
    ['a password role but no login configured', undefined, { a: { username: 'ann', passwordEnv: 'ANN_PW' } }, /no way to sign in/],
    ['token role needs no login', undefined, { a: { tokenEnv: 'ANN_TOKEN' } }, undefined],
    ['token env unset', undefined, { a: { tokenEnv: 'MISSING_TOKEN' } }, /tokenEnv MISSING_TOKEN is not set/],
    ['bearer login without a tokenEnv', authSchema.parse({ type: 'bearer' }), { a: { username: 'x', passwordEnv: 'ANN_PW' } }, /needs tokenEnv/],
    ['client credentials without a secret', authSchema.parse({ type: 'oauth2-client-credentials', tokenUrl: '/t', clientId: 'svc' }), { a: {} }, /needs clientSecretEnv/],
  ])('%s', (_name, auth, r, problem) => {
    const p = planAuth(auth, roles(r), secrets);
    if (problem) expect(p.map(([w, m]) => `${w}: ${m}`).join('\n')).toMatch(problem);
    else expect(p).toEqual([]);
  });
});
