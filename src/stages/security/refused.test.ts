import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runSecurityStage } from './_test-run.ts';

// The fault matrix of "no check passes untested": every security check against
// a server that refuses every request (403, CSRF-style on writes) and one that
// redirects every request to its login page (whose form refuses every sign-in).
// The application behind them never processed a probe, so no check may pass.

const servers: http.Server[] = [];
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'pdv-security-refused-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** Headers that would pass every header test, so a pass could only come from judging them. */
const GOOD_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=63072000',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<string> {
  const s = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  servers.push(s);
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const LOGIN_PAGE = '<html><head><title>Sign in</title></head><body><form method="post" action="/login"><input type="hidden" name="csrfmiddlewaretoken" value="t0k3n"><input name="username"><input type="password" name="password"><button>Sign in</button></form></body></html>';

/** Everything the stage can do, pointed at endpoints these servers "have". */
const EVERYTHING = {
  tls: { enabled: false },
  headers: { minimumGrade: 'C' },
  cors: { paths: ['/', '/api/me'] },
  access: {
    rules: [
      { method: 'GET', path: '/api/projects', role: 'anonymous', expect: [401, 403] },
      { method: 'POST', path: '/api/projects', role: 'anonymous', body: { title: 'x' }, expect: [401, 403] },
      { method: 'POST', path: '/api/projects', role: 'viewer', body: { title: 'x' }, expect: 403 },
      { method: 'GET', path: '/api/me', role: 'viewer', expect: 200 },
    ],
  },
  openRedirect: { path: '/login', param: 'next', form: { role: 'viewer' } },
  rateLimit: { path: '/login', body: 'form' },
};
const ENVIRONMENT = { credentials: { viewer: { username: 'viewer', passwordEnv: 'PW_VIEWER' } }, auth: { type: 'form', url: '/login' } };
const SECRETS = { PW_VIEWER: 'viewer-password-123' };

describe('no security check passes without the application having processed a probe', () => {
  it('a server that refuses every request (403; CSRF failure on writes): nothing passes', async () => {
    const url = await serve((req, res) => {
      const csrf = req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS';
      res.writeHead(403, { 'content-type': 'text/html', ...GOOD_HEADERS }).end(csrf ? '<h1>Forbidden (403)</h1><p>CSRF verification failed. Request aborted.</p>' : '<h1>403 Forbidden</h1>');
    });
    const checks = await runSecurityStage(tmp, url, EVERYTHING, { environment: ENVIRONMENT, secrets: SECRETS });
    expect(checks.length).toBeGreaterThan(10);
    expect(checks.filter((c) => c.status === 'passed').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    // Each says why it was not tested.
    for (const c of checks.filter((x) => x.status === 'skipped' || x.status === 'errored')) expect(c.message?.length ?? 0, c.id).toBeGreaterThan(20);
    const byId = new Map(checks.map((c) => [c.id, c]));
    expect(byId.get('security.exposed.base.env')).toMatchObject({ status: 'skipped', message: expect.stringMatching(/refuses every anonymous request/) });
    expect(byId.get('security.access.anonymous-post-api-projects')?.message).toMatch(/CSRF/);
    expect(byId.get('security.redirect.login-return-to')?.status).not.toBe('failed');
    // The probes derived from the site's own pages and OPTIONS vs the access table: never passed.
    for (const id of ['security.methods.options', 'security.exposed.base.source-map', 'security.exposed.base.page-copy']) expect(byId.get(id)?.status, id).toMatch(/^(skipped|errored)$/);
  });

  it('behind a gate that refuses everything, a file the proxy still serves is found', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/.env') return res.writeHead(200, { 'content-type': 'text/plain' }).end('DATABASE_URL=postgres://u:p@db/x\n');
      res.writeHead(403, { 'content-type': 'text/html' }).end('<h1>403 Forbidden</h1>');
    });
    const checks = await runSecurityStage(tmp, url, { tls: { enabled: false } });
    expect(checks.find((c) => c.id === 'security.exposed.base.env')).toMatchObject({ status: 'failed', severity: 'critical' });
    expect(checks.find((c) => c.id === 'security.exposed.base.git-config')?.status).toBe('skipped');
  });

  it('a server that redirects every request to its login page, whose form refuses every sign-in: nothing but the login page\'s own headers passes', async () => {
    const url = await serve((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname === '/login' && req.method === 'GET') return res.writeHead(200, { 'content-type': 'text/html' }).end(LOGIN_PAGE);
      if (u.pathname === '/login') return res.writeHead(302, { location: '/login?error=1' }).end();
      res.writeHead(302, { location: `/login?next=${encodeURIComponent(u.pathname)}` }).end();
    });
    const checks = await runSecurityStage(tmp, url, EVERYTHING, { environment: ENVIRONMENT, secrets: SECRETS });
    // The login page is a real page of the site: its headers are graded where every path leads.
    const passed = checks.filter((c) => c.status === 'passed');
    for (const c of passed) expect(`${c.id}: ${c.message}`).toMatch(/^security\.headers\.base\.[a-z-]+: .*\/login/);
    const byId = new Map(checks.map((c) => [c.id, c]));
    for (const id of ['security.access.viewer-get-api-me', 'security.access.viewer-post-api-projects', 'security.redirect.login-return-to', 'security.cookies.session']) {
      expect(byId.get(id)?.status, id).toBe('errored');
    }
    for (const id of ['security.access.anonymous-get-api-projects', 'security.exposed.base.env', 'security.cors.base']) expect(byId.get(id)?.status, id).toBe('skipped');
    expect(byId.get('security.redirect.login-return-to')?.message).toMatch(/login form was answered again|redirected to the login page/);
    for (const id of ['security.methods.options', 'security.exposed.base.source-map', 'security.exposed.base.page-copy']) expect(byId.get(id)?.status, id).toMatch(/^(skipped|errored)$/);
  });
});
