import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../core/types.ts';
import { runSecurityStage, verdictOf } from './_test-run.ts';

// The whole stage with default settings against a site it knows nothing about:
// only evidence about that site may fail a check. A site with no /api/login,
// no /login and no /api/me must not be probed there, nor rolled back for it.

const servers: http.Server[] = [];
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'pdv-security-stage-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = [];
  const s = http.createServer((req, res) => {
    paths.push(new URL(req.url ?? '/', 'http://x').pathname);
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  servers.push(s);
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, paths };
}

const runStage = (baseUrl: string, security: Record<string, unknown>): Promise<CheckResult[]> => runSecurityStage(tmp, baseUrl, security);

describe('the security stage on a site it has never seen', () => {
  it.each([
    ['answers 404 for unknown paths', 404],
    ['answers 200 (its index page) for every path', 200],
  ])('a site that %s, with no login endpoint, stands and is not probed at demo paths', async (_label, status) => {
    const site = await serve((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/' || status === 200) return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><h1>Shop</h1></body></html>');
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    });
    const checks = await runStage(site.url, { headers: { enabled: false }, tls: { enabled: false } });
    expect(checks.filter((c) => c.status === 'failed' || c.status === 'errored').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    expect(verdictOf(checks)).toBe('stand');
    for (const p of ['/api/login', '/login', '/api/me']) expect(site.paths).not.toContain(p);
    const byId = new Map(checks.map((c) => [c.id, c]));
    expect(byId.get('security.rate-limit.login')).toMatchObject({ status: 'skipped', message: expect.stringMatching(/rateLimit\.path/) });
    expect(byId.get('security.redirect.login-return-to')).toMatchObject({ status: 'skipped', message: expect.stringMatching(/openRedirect\.path/) });
    // No login is configured for this site: the cookie check has nothing to look at, and says so.
    expect(byId.get('security.cookies.session')?.status).toBe('skipped');
  });

  it('probes the endpoints the config names, and only those', async () => {
    let failures = 0;
    const site = await serve((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'POST' && u.pathname === '/auth/sign-in') return ++failures > 3 ? res.writeHead(429, { 'retry-after': '30' }).end() : res.writeHead(401).end();
      if (u.pathname === '/signin') return res.writeHead(200, { 'content-type': 'text/html' }).end('<form></form>');
      res.writeHead(404).end('not found');
    });
    const checks = await runStage(site.url, { headers: { enabled: false }, tls: { enabled: false }, exposed: { enabled: false }, debugPages: { enabled: false }, methods: { enabled: false }, cors: { paths: ['/api/v2/me'] }, rateLimit: { path: '/auth/sign-in' }, openRedirect: { path: '/signin', param: 'next' } });
    expect(checks.find((c) => c.id === 'security.rate-limit.login')).toMatchObject({ status: 'passed' });
    expect(checks.find((c) => c.id === 'security.redirect.login-return-to')).toMatchObject({ status: 'passed' });
    expect(new Set(site.paths)).toEqual(new Set(['/auth/sign-in', '/signin', '/api/v2/me']));
  });
});

describe('header grading without and with a minimum grade', () => {
  // Regression: a healthy site that never sent security headers (grade F) was rolled back by
  // default — its header posture is the site's choice, not something this deploy broke.
  it('without minimumGrade, a bare site stands and the grade is a warning', async () => {
    const site = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'pref=1; Path=/' }).end('<h1>hi</h1>'));
    const checks = await runStage(site.url, { tls: { enabled: false }, exposed: { enabled: false } });
    const grade = checks.find((c) => c.id === 'security.headers.base.grade');
    expect(grade).toMatchObject({ status: 'failed', onFail: 'warn', severity: 'minor', observed: 'F' });
    expect(checks.filter((c) => c.id.startsWith('security.headers.') && c.status === 'failed').every((c) => c.onFail === 'warn')).toBe(true);
    expect(verdictOf(checks)).toBe('stand');
  });

  it('with minimumGrade, a grade below it fails as major → rollback', async () => {
    const site = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>'));
    const checks = await runStage(site.url, { tls: { enabled: false }, exposed: { enabled: false }, headers: { minimumGrade: 'B' } });
    expect(checks.find((c) => c.id === 'security.headers.base.grade')).toMatchObject({ status: 'failed', severity: 'major', limit: 'B' });
    expect(verdictOf(checks)).toBe('rollback');
  });

  it('grades the headers of a page that answers 401 instead of giving no evidence', async () => {
    const site = await serve((_req, res) => res.writeHead(401, { 'content-type': 'application/json', 'x-frame-options': 'DENY' }).end('{}'));
    const checks = await runStage(site.url, { tls: { enabled: false }, exposed: { enabled: false } });
    expect(checks.find((c) => c.id === 'security.headers.base.grade')?.status).not.toBe('errored');
  });
});
