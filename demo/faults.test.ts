import { spawnSync } from 'node:child_process';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from '../src/platform/browser.ts';
import { FAULTS } from './faults.ts';
import type { DemoHandle } from './launch.ts';
import { auth, loginToken, metric, pollFor, startTestDemo, USERS } from './test-helpers.ts';

async function peerCert(httpsUrl: string): Promise<{ valid_from: string; valid_to: string }> {
  const u = new URL(httpsUrl);
  return new Promise((resolve, reject) => {
    const s = connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false, servername: 'localhost' }, () => {
      resolve(s.getPeerCertificate());
      s.end();
    });
    s.once('error', reject);
  });
}

const DAY = 86_400_000;

describe('fault registry and CLI', () => {
  it('describes every fault', () => {
    for (const [name, f] of Object.entries(FAULTS)) {
      expect(name).toMatch(/^[a-z][a-z0-9-]+$/);
      expect(f.description.length).toBeGreaterThan(10);
    }
  });

  it('exits 2 on an unknown fault name', () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), main, '--fault', 'no-such-fault'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown fault: no-such-fault');
    expect(r.stdout).toBe('');
  });
});

describe('combined app/security faults', () => {
  let demo: DemoHandle;
  let base: string;
  beforeAll(async () => {
    demo = await startTestDemo({
      https: true,
      faults: ['health-down', 'stale-version', 'flag-drift', 'integration-down', 'broken-login', 'render-stuck', 'viewer-can-write', 'slow-api',
        'missing-security-headers', 'weak-session-cookie', 'exposed-env', 'cors-credentials-wildcard', 'no-rate-limit', 'alarm-firing', 'expired-cert'],
    });
    base = demo.baseUrl;
  });
  afterAll(async () => {
    await demo?.stop();
  });

  it('health-down: /health 503 down with database down', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'down', checks: { database: 'down', worker: 'ok' } });
  });

  it('stale-version: /version and demo_build_info report previousVersion', async () => {
    expect(await (await fetch(`${base}/version`)).json()).toMatchObject({ version: '1.3.2' });
    expect(demo.version).toBe('1.3.2');
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/demo_build_info\{version="1\.3\.2"/);
  });

  it('flag-drift: an experimental flag is enabled', async () => {
    const { flags } = (await (await fetch(`${base}/api/flags`)).json()) as { flags: Record<string, { enabled: boolean; experimental: boolean }> };
    expect(flags['ai-voiceover-beta']).toEqual({ enabled: true, experimental: true });
  });

  it('integration-down: the Salesforce probe answers 503 down', async () => {
    const res = await fetch(`${base}/api/integrations/salesforce`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'down' });
  });

  it('viewer-can-write: a viewer creates a project', async () => {
    const viewer = await loginToken(base, 'viewer');
    const res = await fetch(`${base}/api/projects`, { method: 'POST', headers: auth(viewer, { 'content-type': 'application/json' }), body: JSON.stringify({ title: 'Viewer wrote this' }) });
    expect(res.status).toBe(201);
  });

  it('slow-api: GET /api/projects takes at least 300 ms (histogram has nothing below 0.25 s)', async () => {
    const editor = await loginToken(base, 'editor');
    expect((await fetch(`${base}/api/projects`, { headers: auth(editor) })).status).toBe(200);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(metric(text, 'http_request_duration_seconds_bucket', '{le="0.25",route="/api/projects",method="GET"}')).toBe(0);
    expect(metric(text, 'http_request_duration_seconds_count', '{route="/api/projects",method="GET"}')).toBeGreaterThanOrEqual(1);
  });

  it('missing-security-headers: no CSP, HSTS or X-Frame-Options', async () => {
    const res = await fetch(`${base}/`);
    expect(res.headers.get('content-security-policy')).toBeNull();
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('x-frame-options')).toBeNull();
  });

  it('weak-session-cookie: sid without Secure and HttpOnly', async () => {
    const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: USERS.editor.email, password: USERS.editor.password }) });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sid='));
    expect(cookie).toBeDefined();
    expect(cookie).not.toMatch(/;\s*Secure/i);
    expect(cookie).not.toMatch(/;\s*HttpOnly/i);
  });

  it('exposed-env: /.env is served with secrets-shaped lines', async () => {
    const res = await fetch(`${base}/.env`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/^DATABASE_URL=/m);
    expect(body).toMatch(/^SECRET_KEY=/m);
  });

  it('cors-credentials-wildcard: any Origin is reflected with credentials', async () => {
    const res = await fetch(`${base}/api/me`, { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://evil.example');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const pre = await fetch(`${base}/api/projects`, { method: 'OPTIONS', headers: { origin: 'https://other.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://other.example');
  });

  it('no-rate-limit: failed logins never get 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'intruder@studio.test', password: 'nope' }) })).status);
    }
    expect(statuses.every((s) => s === 401)).toBe(true);
  });

  it('alarm-firing: demo_alarm_condition is 1', async () => {
    expect(metric(await (await fetch(`${base}/metrics`)).text(), 'demo_alarm_condition')).toBe(1);
  });

  it('render-stuck: jobs stay running at 42%', async () => {
    const editor = await loginToken(base, 'editor');
    const job = (await (await fetch(`${base}/api/projects/1/renders`, { method: 'POST', headers: auth(editor, { 'content-type': 'application/json' }), body: '{"kind":"storyboard"}' })).json()) as { id: number };
    const stuck = await pollFor(async () => {
      const r = (await (await fetch(`${base}/api/renders/${job.id}`, { headers: auth(editor) })).json()) as { status: string; progress: number };
      return r.status === 'running' && r.progress === 42 ? r : undefined;
    });
    expect(stuck.progress).toBe(42);
    // Well past DEMO_RENDER_MS (1.5 s) it is still stuck.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await (await fetch(`${base}/api/renders/${job.id}`, { headers: auth(editor) })).json()).toMatchObject({ status: 'running', progress: 42 });
  });

  it('expired-cert: the HTTPS certificate is past notAfter', async () => {
    const cert = await peerCert(demo.httpsUrl!);
    expect(Date.parse(cert.valid_to)).toBeLessThan(Date.now());
  });

  it('broken-login: the UI form does not submit, the API still logs in', async () => {
    const browser = await chromium.launch(chromiumLaunchOptions());
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/login`);
      await page.getByTestId('login-email').fill(USERS.editor.email);
      await page.getByTestId('login-password').fill(USERS.editor.password);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('login-password').press('Enter');
      await page.waitForTimeout(500);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await loginToken(base, 'editor')).toBeTruthy();
    } finally {
      await browser.close();
    }
  });
});

describe('slow-start, error-burst, metrics-down, cert-expiring', () => {
  let demo: DemoHandle;
  let base: string;
  beforeAll(async () => {
    demo = await startTestDemo({ https: true, faults: ['slow-start', 'error-burst', 'metrics-down', 'cert-expiring'], env: { DEMO_SLOW_START_MS: '5000' } });
    base = demo.baseUrl;
  });
  afterAll(async () => {
    await demo?.stop();
  });

  it('slow-start: 503 starting with Retry-After, then 200 ok', async () => {
    const first = await fetch(`${base}/health`);
    expect(first.status).toBe(503);
    expect(await first.json()).toEqual({ status: 'starting' });
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const ok = await pollFor(async () => {
      const r = await fetch(`${base}/health`);
      return r.status === 200 ? ((await r.json()) as unknown) : undefined;
    }, { attempts: 200, everyMs: 100 });
    expect(ok).toEqual({ status: 'ok', checks: { database: 'ok', worker: 'ok' } });
  });

  it('error-burst: exactly every 33rd /api/* request answers 500', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 99; i++) statuses.push((await fetch(`${base}/api/flags`)).status);
    const errors = statuses.map((s, i) => (s === 500 ? i : -1)).filter((i) => i >= 0);
    expect(errors).toHaveLength(3);
    expect(errors[1]! - errors[0]!).toBe(33);
    expect(statuses.filter((s) => s !== 500 && s !== 200)).toEqual([]);
  });

  it('metrics-down: /metrics answers 503', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(503);
  });

  it('cert-expiring: the certificate expires within a week but is valid now', async () => {
    const cert = await peerCert(demo.httpsUrl!);
    const left = Date.parse(cert.valid_to) - Date.now();
    expect(left).toBeGreaterThan(4 * DAY);
    expect(left).toBeLessThan(6 * DAY);
  });
});

describe('memory-leak, latency-drift, stall', () => {
  let demo: DemoHandle;
  let base: string;
  let readyAt: number;
  beforeAll(async () => {
    demo = await startTestDemo({ faults: ['memory-leak', 'latency-drift', 'stall'], env: { DEMO_LEAK_BYTES_PER_SEC: String(32 * 1024 * 1024), DEMO_DRIFT_MS_PER_SEC: '100' } });
    readyAt = Date.now();
    base = demo.baseUrl;
  });
  afterAll(async () => {
    await demo?.stop();
  });

  it('memory-leak: resident memory keeps growing', async () => {
    const rss = async () => metric(await (await fetch(`${base}/metrics`)).text(), 'process_resident_memory_bytes') ?? 0;
    const before = await rss();
    const grown = await pollFor(async () => {
      const now = await rss();
      return now - before > 48 * 1024 * 1024 ? now : undefined;
    }, { attempts: 50, everyMs: 200 });
    expect(grown).toBeGreaterThan(before);
  });

  it('latency-drift: /api latency is at least uptime × DEMO_DRIFT_MS_PER_SEC', async () => {
    await pollFor(async () => (Date.now() - readyAt > 2000 ? true : undefined));
    const sent = Date.now();
    const floorMs = ((sent - readyAt) / 1000) * 100;
    await fetch(`${base}/api/flags`);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(floorMs * 0.95);
  });

  it('stall: some request within two stall periods waits about a second', async () => {
    let worst = 0;
    const deadline = Date.now() + 11_000;
    while (Date.now() < deadline && worst < 900) {
      const t = Date.now();
      await fetch(`${base}/version`);
      worst = Math.max(worst, Date.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(worst).toBeGreaterThanOrEqual(900);
  });
});
