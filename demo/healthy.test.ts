import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoHandle } from './launch.ts';
import { auth, loginToken, metric, pollFor, startTestDemo, USERS } from './test-helpers.ts';

let demo: DemoHandle;
let base: string;

beforeAll(async () => {
  demo = await startTestDemo({ https: true });
  base = demo.baseUrl;
});
afterAll(async () => {
  await demo?.stop();
});

describe('healthy demo: ops endpoints', () => {
  it('is deep-healthy, reports its version and flags', async () => {
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', checks: { database: 'ok', worker: 'ok' } });
    expect(await (await fetch(`${base}/version`)).json()).toMatchObject({ version: '1.4.0', commit: expect.any(String), builtAt: expect.any(String) });
    expect(demo.version).toBe('1.4.0');
    const flags = (await (await fetch(`${base}/api/flags`)).json()) as { environment: string; flags: Record<string, { enabled: boolean; experimental: boolean }> };
    expect(flags.environment).toBe('staging');
    const experimentalOn = Object.entries(flags.flags).filter(([, f]) => f.experimental && f.enabled);
    expect(experimentalOn).toEqual([]);
    const sf = await fetch(`${base}/api/integrations/salesforce`);
    expect(sf.status).toBe(200);
    expect(await sf.json()).toMatchObject({ status: 'ok', latencyMs: expect.any(Number) });
  });

  it('sends the security headers and no CORS to foreign origins', async () => {
    const res = await fetch(`${base}/`, { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const hsts = /max-age=(\d+)/.exec(res.headers.get('strict-transport-security') ?? '');
    expect(Number(hsts?.[1])).toBeGreaterThanOrEqual(15_552_000);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${base}/api/projects`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it.each(['/.env', '/.git/config', '/.git/HEAD', '/config.json', '/server.ts', '/demo/release.json'])('answers 404 for %s', async (p) => {
    expect((await fetch(`${base}${p}`)).status).toBe(404);
  });

  it('serves Prometheus metrics', async () => {
    await fetch(`${base}/version`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(metric(text, 'demo_alarm_condition')).toBe(0);
    expect(metric(text, 'demo_build_info', '{version="1.4.0",commit="8f3c2a1d9b7e4f6a0c5d2e1b3a4f5c6d7e8f9a0b"}')).toBe(1);
    expect(metric(text, 'http_requests_total', '{route="/version",method="GET",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.1",route="/version",method="GET"}');
    expect(metric(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(metric(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(metric(text, 'demo_open_connections')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('render_jobs_total{status="done"}');
  });

  it('serves HTTPS with a currently valid self-signed certificate for 127.0.0.1', async () => {
    expect(demo.httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const u = new URL(demo.httpsUrl!);
    const cert = await new Promise<{ valid_from: string; valid_to: string; subjectaltname?: string }>((resolve, reject) => {
      const s = connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false, servername: 'localhost' }, () => {
        resolve(s.getPeerCertificate());
        s.end();
      });
      s.once('error', reject);
    });
    expect(Date.parse(cert.valid_from)).toBeLessThan(Date.now());
    expect(Date.parse(cert.valid_to)).toBeGreaterThan(Date.now() + 30 * 86_400_000);
    expect(cert.subjectaltname).toContain('IP Address:127.0.0.1');
  });
});

describe('healthy demo: auth and roles', () => {
  it('logs in through the API with a hardened session cookie', async () => {
    const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: USERS.editor.email, password: USERS.editor.password }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; user: { email: string; role: string } };
    expect(body.user).toMatchObject({ email: USERS.editor.email, role: 'editor' });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sid='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    const me = await fetch(`${base}/api/me`, { headers: { cookie: cookie!.split(';')[0]! } });
    expect(await me.json()).toMatchObject({ user: { email: USERS.editor.email } });
    const out = await fetch(`${base}/api/logout`, { method: 'POST', headers: auth(body.token) });
    expect(out.status).toBe(204);
    expect((await fetch(`${base}/api/me`, { headers: auth(body.token) })).status).toBe(401);
  });

  it('rejects bad credentials with 401, then 429 after 5 failures for that username', async () => {
    const attempt = (username: string) => fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'wrong' }) });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt('intruder@studio.test')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await attempt('intruder@studio.test')).headers.get('retry-after')).toMatch(/^\d+$/);
    // Per username: another account is unaffected.
    expect((await attempt('someone-else@studio.test')).status).toBe(401);
  });

  it('enforces roles on projects and private settings', async () => {
    const [viewer, editor, admin] = await Promise.all([loginToken(base, 'viewer'), loginToken(base, 'editor'), loginToken(base, 'admin')]);
    expect((await fetch(`${base}/api/projects`)).status).toBe(401);
    const list = (await (await fetch(`${base}/api/projects`, { headers: auth(viewer) })).json()) as { projects: Array<{ id: number; title: string; ownerId: number; createdAt: string }> };
    expect(list.projects.length).toBeGreaterThanOrEqual(3);
    expect(list.projects[0]).toMatchObject({ id: expect.any(Number), title: expect.any(String), ownerId: expect.any(Number), createdAt: expect.any(String) });
    const post = (token: string) => fetch(`${base}/api/projects`, { method: 'POST', headers: auth(token, { 'content-type': 'application/json' }), body: JSON.stringify({ title: 'Role test' }) });
    expect((await post(viewer)).status).toBe(403);
    const created = await post(editor);
    expect(created.status).toBe(201);
    const project = (await created.json()) as { id: number };
    expect((await fetch(`${base}/api/projects/${project.id}`, { headers: auth(viewer) })).status).toBe(200);
    const me = (await (await fetch(`${base}/api/me`, { headers: auth(editor) })).json()) as { user: { id: number } };
    const viewerMe = (await (await fetch(`${base}/api/me`, { headers: auth(viewer) })).json()) as { user: { id: number } };
    expect((await fetch(`${base}/api/users/${me.user.id}/settings`, { headers: auth(editor) })).status).toBe(200);
    expect((await fetch(`${base}/api/users/${viewerMe.user.id}/settings`, { headers: auth(editor) })).status).toBe(403);
    expect((await fetch(`${base}/api/users/${viewerMe.user.id}/settings`, { headers: auth(admin) })).status).toBe(200);
  });

  it('uploads a script and renders a storyboard: queued → running → done', async () => {
    const editor = await loginToken(base, 'editor');
    const { id } = (await (await fetch(`${base}/api/projects`, { method: 'POST', headers: auth(editor, { 'content-type': 'application/json' }), body: JSON.stringify({ title: 'Render test' }) })).json()) as { id: number };
    const text = await fetch(`${base}/api/projects/${id}/script`, { method: 'POST', headers: auth(editor, { 'content-type': 'text/plain' }), body: 'INT. HARBOR - NIGHT\nNeon flickers.\n' });
    expect(text.status).toBe(201);
    expect(await text.json()).toMatchObject({ scriptId: expect.any(Number), bytes: 35 });
    const form = new FormData();
    form.append('script', new Blob(['EXT. PIER\nGulls.\nFADE OUT.\n'], { type: 'text/plain' }), 'pier.txt');
    const multi = await fetch(`${base}/api/projects/${id}/script`, { method: 'POST', headers: auth(editor), body: form });
    expect(multi.status).toBe(201);
    const queued = await fetch(`${base}/api/projects/${id}/renders`, { method: 'POST', headers: auth(editor, { 'content-type': 'application/json' }), body: JSON.stringify({ kind: 'storyboard' }) });
    expect(queued.status).toBe(202);
    const job = (await queued.json()) as { id: number };
    expect(job).toMatchObject({ status: 'queued', progress: 0 });
    const seen = new Set<string>();
    const done = await pollFor(async () => {
      const r = (await (await fetch(`${base}/api/renders/${job.id}`, { headers: auth(editor) })).json()) as { status: string; progress: number; resultUrl?: string };
      seen.add(r.status);
      return r.status === 'done' ? r : undefined;
    });
    expect(seen.has('running')).toBe(true);
    expect(done).toMatchObject({ progress: 100, resultUrl: `/api/renders/${job.id}/result` });
    const result = (await (await fetch(`${base}${done.resultUrl}`, { headers: auth(editor) })).json()) as { storyboard: { panels: Array<{ caption: string }> } };
    expect(result.storyboard.panels.map((p) => p.caption)).toEqual(['EXT. PIER', 'Gulls.', 'FADE OUT.']);
    // Others may read but not change it.
    const editor2 = await loginToken(base, 'editor2');
    const viewer = await loginToken(base, 'viewer');
    expect((await fetch(`${base}/api/projects/${id}/renders`, { method: 'POST', headers: auth(viewer, { 'content-type': 'application/json' }), body: '{"kind":"storyboard"}' })).status).toBe(403);
    expect((await fetch(`${base}/api/projects/${id}/script`, { method: 'POST', headers: auth(editor2, { 'content-type': 'text/plain' }), body: 'x' })).status).toBe(403);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metric(metrics, 'render_jobs_total', '{status="done"}')).toBeGreaterThanOrEqual(1);
  });
});
