import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { testRun } from '../_test-run.ts';
import { accessChecks, sessionCookieCheck } from './access.ts';
import { corsCheck } from './cors.ts';
import { exposedChecks } from './exposed.ts';
import { Logins } from './login.ts';
import { openRedirectCheck } from './open-redirect.ts';
import { rateLimitCheck } from './rate-limit.ts';

// Misbehaving HTTP servers on loopback, one per way an app gets security wrong,
// and the well-behaved twins that must not raise an alarm.

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function serve(handler: Handler): Promise<string> {
  const s = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  servers.push(s);
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const json = (res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
};

describe('CORS', () => {
  it('fails critical when any Origin is reflected with credentials', async () => {
    const url = await serve((req, _b, res) => json(res, 200, {}, req.headers.origin ? { 'access-control-allow-origin': req.headers.origin, 'access-control-allow-credentials': 'true' } : {}));
    const c = await corsCheck(testRun({ apiUrl: url }), 'base', url);
    expect(c).toMatchObject({ id: 'security.cors.base', status: 'failed', severity: 'critical' });
    expect(c.evidence.some((e) => e.kind === 'http')).toBe(true);
  });

  it('passes a public API (ACAO *) without credentials and a fixed allow-list', async () => {
    const pub = await serve((_req, _b, res) => json(res, 200, {}, { 'access-control-allow-origin': '*' }));
    expect((await corsCheck(testRun({ apiUrl: pub }), 'base', pub)).status).toBe('passed');
    const fixed = await serve((_req, _b, res) => json(res, 200, {}, { 'access-control-allow-origin': 'https://app.example', 'access-control-allow-credentials': 'true' }));
    expect((await corsCheck(testRun({ apiUrl: fixed }), 'base', fixed)).status).toBe('passed');
  });
});

describe('exposed files', () => {
  /** Probes derived from the site's pages have nothing to probe on a page with no scripts or server-side links: skipped. */
  const expected = (id: string): string => (/\.(?:source-map|page-copy)$/.test(id) ? 'skipped' : 'passed');
  const ENV = 'DATABASE_URL=postgres://u:hunter2hunter2@db/x\nSECRET_KEY=abcdef0123456789\n';

  it('finds a served .env by content and keeps the values out of the evidence', async () => {
    const url = await serve((req, _b, res) => (req.url === '/.env' ? res.writeHead(200, { 'content-type': 'text/plain' }).end(ENV) : res.writeHead(404).end('not found')));
    const checks = await exposedChecks(testRun({ webUrl: url }), 'base', url);
    const env = checks.find((c) => c.id === 'security.exposed.base.env');
    expect(env).toMatchObject({ status: 'failed', severity: 'critical' });
    const text = JSON.stringify(env?.evidence);
    expect(text).toContain('DATABASE_URL=[REDACTED]');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('abcdef0123456789');
    expect(checks.filter((c) => c.status === 'failed')).toHaveLength(1);
  });

  it('an app that answers 200 with the same page for every path is no false alarm', async () => {
    const url = await serve((_req, _b, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>\nWELCOME=1\n[core]\nActive connections: 3\n</body></html>'));
    const checks = await exposedChecks(testRun({ webUrl: url }), 'base', url);
    expect(checks.length).toBeGreaterThan(3);
    for (const c of checks) expect(c.status, c.id).toBe(expected(c.id));
  });

  it('an app that echoes the path in a 200 page is no false alarm either', async () => {
    const url = await serve((req, _b, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<p>Page ${req.url ?? ''} not found</p>`));
    const checks = await exposedChecks(testRun({ webUrl: url }), 'base', url);
    for (const c of checks) expect(c.status, c.id).toBe(expected(c.id));
  });

  it('finds a served .git/config among catch-all 200s', async () => {
    const url = await serve((req, _b, res) =>
      req.url === '/.git/config' ? res.writeHead(200).end('[core]\n\trepositoryformatversion = 0\n\tbare = false\n') : res.writeHead(200, { 'content-type': 'text/html' }).end('<html>app</html>'),
    );
    const checks = await exposedChecks(testRun({ webUrl: url }), 'base', url);
    expect(checks.find((c) => c.id === 'security.exposed.base.git-config')?.status).toBe('failed');
  });

  it('a dead server is errored, not passed', async () => {
    const checks = await exposedChecks(testRun({ webUrl: 'http://127.0.0.1:9', config: { requestTimeout: 500 } }), 'base', 'http://127.0.0.1:9');
    for (const c of checks) expect(c.status).toBe('errored');
  });
});

describe('open redirect on the login return URL', () => {
  it('fails when the login page redirects to the foreign returnTo', async () => {
    const url = await serve((req, _b, res) => {
      const to = new URL(req.url ?? '/', 'http://x').searchParams.get('returnTo');
      if (to) res.writeHead(302, { location: to }).end();
      else res.writeHead(200).end('login');
    });
    const c = await openRedirectCheck(testRun({ webUrl: url, config: { openRedirect: { path: '/login', param: 'returnTo' } } }));
    expect(c).toMatchObject({ id: 'security.redirect.login-return-to', status: 'failed' });
  });

  it('fails when the form post after login redirects off-site', async () => {
    const url = await serve((req, body, res) => {
      if (req.method === 'POST') {
        const p = new URLSearchParams(body);
        return res.writeHead(303, { location: p.get('returnTo') ?? '/' }).end();
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end('<form method="post"><input name="email"><input type="password" name="password"><input type="hidden" name="returnTo" value=""></form>');
    });
    const r = testRun({ webUrl: url, config: { openRedirect: { path: '/login', param: 'returnTo', form: { role: 'viewer', usernameField: 'email' } } }, credentials: { viewer: { username: 'v@x', password: 'pw-123456' } } });
    const c = await openRedirectCheck(r);
    expect(c.status).toBe('failed');
    expect(c.message).toMatch(/POST \/login/);
  });

  it.each([
    { what: 'a link to it', page: (to: string) => `<a href="${to}">continue</a>`, status: 'failed' },
    { what: 'a meta refresh to it', page: (to: string) => `<meta http-equiv="refresh" content="0; url=${to}">`, status: 'failed' },
    { what: 'a return field holding it', page: (to: string) => `<form method="post"><input type="hidden" name="returnTo" value="${to}"></form>`, status: 'failed' },
    // Django's admin: the form posts back to the login page itself, `next` kept in its query and checked on the post.
    { what: 'only its own form action carrying the parameter on', page: (to: string) => `<form action="/login?returnTo=${to}" method="post"></form>`, status: 'passed' },
    { what: 'the same, URL-encoded', page: (to: string) => `<form action="/login?returnTo=${encodeURIComponent(to)}" method="post"></form>`, status: 'passed' },
  ])('the foreign return URL in $what → $status', async ({ page, status }) => {
    const url = await serve((req, _b, res) => {
      const to = new URL(req.url ?? '/', 'http://x').searchParams.get('returnTo') ?? '';
      res.writeHead(200, { 'content-type': 'text/html' }).end(page(to));
    });
    expect((await openRedirectCheck(testRun({ webUrl: url, config: { openRedirect: { path: '/login', param: 'returnTo' } } }))).status).toBe(status);
  });

  it('passes when only same-site paths are honoured', async () => {
    const url = await serve((req, _b, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<form><input type="hidden" name="returnTo" value=""></form>'));
    expect((await openRedirectCheck(testRun({ webUrl: url, config: { openRedirect: { path: '/login', param: 'returnTo' } } }))).status).toBe('passed');
  });
});

describe('rate limiting of failed logins', () => {
  it('passes at the first 429 and stops sending', async () => {
    let n = 0;
    const url = await serve((_req, _b, res) => (++n > 3 ? json(res, 429, { error: 'slow down' }, { 'retry-after': '60' }) : json(res, 401, { error: 'bad' })));
    const c = await rateLimitCheck(testRun({ apiUrl: url, config: { rateLimit: { path: '/api/login' } } }));
    expect(c).toMatchObject({ status: 'passed', attempts: 1 });
    expect(c.evidence).toContainEqual({ kind: 'text', label: 'requests sent', text: '4' });
    expect(n).toBe(4);
  });

  it('fails with the configured severity when no 429 comes within the bounded attempts', async () => {
    let n = 0;
    const url = await serve((req, _b, res) => {
      if (req.url !== '/api/login') return json(res, 401, { error: 'sign in first' });
      n++;
      json(res, 401, { error: 'wrong user name or password' });
    });
    const c = await rateLimitCheck(testRun({ apiUrl: url, config: { rateLimit: { path: '/api/login', attempts: 6, severity: 'critical' } } }));
    expect(c).toMatchObject({ status: 'failed', severity: 'critical', observed: 6 });
    expect(n).toBe(6);
  });

  const limitedApp = (o: { status: number; body: string; retryAfter?: boolean; after?: number }) => {
    let n = 0;
    return serve((req, _b, res) => {
      if (req.url !== '/api/login') return json(res, 404, { error: 'no route' });
      if (++n > (o.after ?? 3)) return res.writeHead(o.status, { 'content-type': 'text/html', ...(o.retryAfter ? { 'retry-after': '120' } : {}) }).end(o.body);
      return res.writeHead(o.status === 403 ? 403 : 401, { 'content-type': 'text/html' }).end('<p>Wrong e-mail or password.</p>');
    });
  };

  it.each([
    ['403 + a "too many attempts" body', { status: 403, body: '<p>Too many attempts. Try again in 2 minutes.</p>' }, { status: [403], body: 'too many attempts' }],
    ['500 + a "too many" body', { status: 500, body: 'Error: too many login attempts' }, { body: 'too many' }],
    ['503 + Retry-After', { status: 503, body: 'busy', retryAfter: true }, { retryAfter: true }],
  ])('passes an app that limits with %s when so configured', async (_label, app, limited) => {
    const url = await limitedApp(app);
    const c = await rateLimitCheck(testRun({ apiUrl: url, config: { rateLimit: { path: '/api/login', limited } } }));
    expect(c.status, c.message).toBe('passed');
    expect(c.message).toMatch(/after 3 failed logins/);
  });

  it('a limited answer must meet every condition of one rule: a plain 403 for a wrong password is no limit', async () => {
    const url = await limitedApp({ status: 403, body: 'forbidden', after: 50 });
    const c = await rateLimitCheck(testRun({ apiUrl: url, config: { rateLimit: { path: '/api/login', attempts: 5, limited: { status: 403, body: 'too many' } } } }));
    expect(c).toMatchObject({ status: 'failed', observed: 5 });
  });

  it.each([404, 405])('an endpoint that answers %i is not found: errored, never "no rate limit"', async (status) => {
    const url = await serve((_req, _b, res) => json(res, status, { error: 'nope' }));
    const c = await rateLimitCheck(testRun({ apiUrl: url, config: { rateLimit: { path: '/api/v1/session' } } }));
    expect(c.status).toBe('errored');
    expect(c.message).toMatch(new RegExp(`endpoint not found: .*answered ${status}`));
  });

  it('server errors that match no "limited" rule are errored, not failed', async () => {
    const url = await serve((_req, _b, res) => json(res, 500, { error: 'boom' }));
    const c = await rateLimitCheck(testRun({ apiUrl: url, config: { rateLimit: { path: '/api/login' } } }));
    expect(c.status).toBe('errored');
    expect(c.message).toMatch(/500/);
  });

  it('sends the configured request shape: form-encoded, own field names, fixed extra fields', async () => {
    const seen: Array<{ type: string | undefined; body: string }> = [];
    const url = await serve((req, body, res) => {
      if (req.method !== 'POST') return json(res, 404, {});
      seen.push({ type: req.headers['content-type'], body });
      json(res, seen.length > 2 ? 429 : 401, {});
    });
    const c = await rateLimitCheck(testRun({ apiUrl: url, config: { rateLimit: { path: '/oauth/token', body: 'form', usernameField: 'email', passwordField: 'pass', fields: { grant_type: 'password', client_id: 'web' }, username: 'probe@x.test' } } }));
    expect(c.status).toBe('passed');
    expect(seen[0]?.type).toBe('application/x-www-form-urlencoded');
    const p = new URLSearchParams(seen[0]?.body);
    expect(Object.fromEntries([...p.keys()].map((k) => [k, k === 'pass' ? '…' : p.get(k)]))).toEqual({ email: 'probe@x.test', pass: '…', grant_type: 'password', client_id: 'web' });
  });
});

describe('access control per role and the session cookie', () => {
  const users: Record<string, { id: number; pw: string }> = { 'editor@x': { id: 2, pw: 'editor-pw-1' }, 'editor2@x': { id: 3, pw: 'editor-pw-1' }, 'viewer@x': { id: 4, pw: 'viewer-pw-1' } };
  function app(o: { leaky?: boolean; weakCookie?: boolean } = {}): Promise<string> {
    const tokens = new Map<string, number>();
    return serve((req, body, res) => {
      if (req.method === 'POST' && req.url === '/api/login') {
        const { username, password } = JSON.parse(body) as { username: string; password: string };
        const u = users[username];
        if (!u || u.pw !== password) return json(res, 401, {});
        const token = `tok-${u.id}-${Math.random().toString(36).slice(2)}`;
        tokens.set(token, u.id);
        return json(res, 200, { token, user: { id: u.id } }, { 'set-cookie': `sid=${token}; Path=/${o.weakCookie ? '' : '; Secure; HttpOnly; SameSite=Lax'}` });
      }
      const uid = tokens.get((req.headers.authorization ?? '').replace('Bearer ', ''));
      const m = /^\/api\/users\/(\d+)\/settings$/.exec(req.url ?? '');
      if (!uid) return json(res, 401, {});
      if (m) return Number(m[1]) === uid || o.leaky ? json(res, 200, { theme: 'dark' }) : json(res, 403, {});
      return json(res, 200, {});
    });
  }
  const LOGIN = { type: 'json', url: '/api/login', tokenPath: 'token', userIdPath: 'user.id' };
  const creds = { editor: { username: 'editor@x', password: 'editor-pw-1' }, editor2: { username: 'editor2@x', password: 'editor-pw-1' }, viewer: { username: 'viewer@x', password: 'viewer-pw-1' } };
  const rules = [
    { path: '/api/projects', role: 'anonymous', expect: [401, 403] },
    { path: '/api/users/{id:editor2}/settings', role: 'editor', expect: 403 },
    { path: '/api/users/{id:editor}/settings', role: 'editor', expect: 200 },
  ];

  it('passes a sound app and fails one where a user reads another user\'s settings', async () => {
    for (const [leaky, failing] of [[false, 0], [true, 1]] as const) {
      const url = await app({ leaky });
      const r = testRun({ apiUrl: url, credentials: creds, auth: LOGIN, config: { access: { rules } } });
      const checks = await accessChecks(r, new Logins(r));
      expect(checks).toHaveLength(3);
      expect(checks.filter((c) => c.status === 'failed')).toHaveLength(failing);
      if (leaky) expect(checks.find((c) => c.status === 'failed')).toMatchObject({ id: 'security.access.editor-get-api-users-editor2-settings', severity: 'critical', observed: 200 });
      // The bearer token never reaches the evidence.
      expect(JSON.stringify(checks)).not.toMatch(/tok-\d/);
    }
  });

  it('a role without credentials is errored, not passed', async () => {
    const url = await app();
    const r = testRun({ apiUrl: url, credentials: {}, auth: LOGIN, config: { access: { rules: [{ path: '/api/x', role: 'viewer', expect: 403 }] } } });
    expect((await accessChecks(r, new Logins(r)))[0]?.status).toBe('errored');
  });

  it('the session cookie must be Secure and HttpOnly', async () => {
    for (const [weak, status] of [[false, 'passed'], [true, 'failed']] as const) {
      const url = await app({ weakCookie: weak });
      const r = testRun({ apiUrl: url, credentials: creds, auth: LOGIN });
      const c = await sessionCookieCheck(r, new Logins(r));
      expect(c.status).toBe(status);
      // Over plain HTTP Secure cannot be asked (a browser would drop the cookie); HttpOnly can.
      if (weak) expect(c.message).toMatch(/sid set without HttpOnly/);
      if (weak) expect(c.message).not.toMatch(/Secure/);
    }
  });
});
