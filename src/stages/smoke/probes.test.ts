import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStageContext, removeStageDirs } from '../../../e2e/helpers/stage-context.ts';
import { computeOutcome } from '../../playwright/outcome.ts';
import { PreconditionError } from '../../playwright/precondition.ts';
import { smokeStage } from './index.ts';
import { planSmoke } from './plan.ts';

// Declarative smoke against a real loopback server that misbehaves on purpose.

let server: Server;
let base = '';
let flaky = 0;
let warm = 0;
const TOKEN = 'viewer-token-canary-123456';

beforeAll(async () => {
  server = createServer((req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    switch (req.url) {
      case '/':
        return send(200, { status: 'ok' });
      case '/api/items':
        return req.headers.authorization === `Bearer ${TOKEN}` ? send(200, { items: [{ id: 1, name: 'a' }], total: 1 }, { 'x-frame-options': 'DENY' }) : send(401, { error: 'auth' });
      case '/api/broken':
        return send(200, { items: 'not-a-list', total: -1 });
      case '/api/slow':
        setTimeout(() => send(200, { ok: true }), 300);
        return;
      case '/api/flaky':
        return ++flaky % 2 === 1 ? send(500, { error: 'once' }) : send(200, { ok: true });
      case '/warm':
        return ++warm <= 2 ? send(502, { error: 'upstream not ready' }) : send(200, { ok: true });
      case '/api/throttled-login':
        return send(429, { error: 'too many attempts' });
      case '/page':
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html><head><title>Welcome</title></head><body><h1>Hello</h1></body></html>');
      case '/api/version':
        return send(200, { build: { version: '2.0.1' } });
      default:
        return send(404, { error: 'not found' });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await removeStageDirs();
});

async function run(checks: unknown[], env: Record<string, unknown> = {}, expectedVersion?: string) {
  const ctx = await makeStageContext({
    target: { environment: 'x', baseUrl: base, ...(expectedVersion ? { expectedVersion } : {}) },
    secrets: { VIEWER_TOKEN: TOKEN },
    environment: { credentials: { viewer: { tokenEnv: 'VIEWER_TOKEN' } }, health: {}, auth: undefined, ...env },
    config: { stages: { smoke: { testDir: undefined, flagsMirror: undefined, login: { enabled: true }, checks } as never } },
  });
  await smokeStage.run(ctx);
  return { ctx, byId: Object.fromEntries(ctx.checks.map((c) => [c.id, c])) };
}

describe('declarative smoke checks', () => {
  it('passes what the answer satisfies and fails what it does not, with the reason', async () => {
    const { byId, ctx } = await run([
      { id: 'items', path: '/api/items', role: 'viewer', expect: { status: 200, json: { items: { type: 'array', minLength: 1 }, 'items.*.id': { type: 'number' }, total: { gte: 0 } }, headers: { 'x-frame-options': 'DENY' } } },
      { id: 'broken', path: '/api/broken', expect: { json: { items: { type: 'array' }, total: { gte: 0 } } }, severity: 'critical' },
      { id: 'anonymous-refused', path: '/api/items', expect: { status: [401, 403] } },
      { id: 'missing', path: '/api/nope' },
      { id: 'slow', path: '/api/slow', expect: { maxLatency: 50 } },
    ]);
    expect(byId['smoke.readiness']?.status).toBe('passed');
    expect(byId['smoke.login.viewer']).toMatchObject({ status: 'passed', severity: 'critical' });
    expect(byId['smoke.items']?.status).toBe('passed');
    expect(byId['smoke.broken']).toMatchObject({ status: 'failed', severity: 'critical' });
    expect(byId['smoke.broken']?.message).toContain('items: is string "not-a-list", expected array');
    expect(byId['smoke.broken']?.message).toContain('total: is -1, expected gte 0');
    expect(byId['smoke.anonymous-refused']?.status).toBe('passed');
    expect(byId['smoke.missing']).toMatchObject({ status: 'failed' });
    expect(byId['smoke.missing']?.message).toContain('HTTP 404, expected 2xx');
    expect(byId['smoke.slow']).toMatchObject({ status: 'failed', unit: 'ms', limit: 50 });
    // The role's token never reaches the evidence.
    expect(JSON.stringify(ctx.checks)).not.toContain(TOKEN);
  });

  it('a pass on retry is flaky, and the version is read where the environment says', async () => {
    flaky = 0;
    const { byId, ctx } = await run([{ id: 'flaky', path: '/api/flaky', retries: 1, retryDelay: 10 }], { version: { path: '/api/version', field: 'build.version' } }, '2.0.0');
    expect(byId['smoke.flaky']).toMatchObject({ status: 'flaky', attempts: 2 });
    expect(byId['smoke.version']).toMatchObject({ status: 'failed', severity: 'critical', observed: '2.0.1', limit: '2.0.0' });
    expect(ctx.observations.observedVersion).toBe('2.0.1');
  });

  it('a role whose sign-in the target refuses fails its login check; checks needing it are errored, not failed', async () => {
    const { byId } = await run([{ id: 'items', path: '/api/items', role: 'viewer' }], {
      credentials: { viewer: { username: 'v', passwordEnv: 'VIEWER_TOKEN' } },
      auth: { type: 'json', url: '/api/login', tokenPath: 'token' },
    });
    expect(byId['smoke.login.viewer']).toMatchObject({ status: 'failed' });
    expect(byId['smoke.login.viewer']?.message).toContain('HTTP 404');
    expect(byId['smoke.items']).toMatchObject({ status: 'errored' });
  });

  // Before pdv told its own faults from the target's, a login form it could not find failed the critical login check: a rollback.
  it('a sign-in pdv could not perform (no login form on the page) is errored, never failed', async () => {
    const { byId } = await run([{ id: 'items', path: '/api/items', role: 'viewer' }], {
      credentials: { viewer: { username: 'v', passwordEnv: 'VIEWER_TOKEN' } },
      auth: { type: 'form', url: '/page', form: 'form#login' },
    });
    expect(byId['smoke.login.viewer']).toMatchObject({ status: 'errored' });
    expect(byId['smoke.login.viewer']?.message).toContain('auth.form');
    expect(byId['smoke.items']).toMatchObject({ status: 'errored' });
  });

  // A login the app throttles (429) says the app is limiting the harness: hold, not rollback.
  it('a throttled sign-in fails its check as a hold', async () => {
    const { byId } = await run([], { credentials: { viewer: { username: 'v', passwordEnv: 'VIEWER_TOKEN' } }, auth: { type: 'json', url: '/api/throttled-login', tokenPath: 'token' } });
    expect(byId['smoke.login.viewer']).toMatchObject({ status: 'failed', onFail: 'hold' });
  });
});

describe('readiness with and without a named health endpoint', () => {
  it('unnamed: a 404 at / is an answering server (ready); named: a 404 is not ready', async () => {
    const bare = await makeStageContext({
      target: { environment: 'x', baseUrl: `${base}/nothing/` },
      environment: { credentials: {}, health: {} },
      config: { stages: { smoke: { testDir: undefined, flagsMirror: undefined } as never } },
    });
    await smokeStage.run(bare);
    expect(bare.checks.find((c) => c.id === 'smoke.readiness')).toMatchObject({ status: 'passed', message: expect.stringContaining('HTTP 404') });
    const named = await makeStageContext({
      target: { environment: 'x', baseUrl: base },
      environment: { credentials: {}, health: { path: '/nothing' } },
      config: { stages: { smoke: { testDir: undefined, flagsMirror: undefined } as never } },
    });
    await smokeStage.run(named);
    expect(named.checks.find((c) => c.id === 'smoke.readiness')).toMatchObject({ status: 'failed', message: expect.stringContaining('HTTP 404, expected 2xx') });
  });
});

describe('warming answers from the config default', () => {
  // Regression: the config's default warming set was 503 only (the docs and readiness said
  // 502/503/504), so a proxy answering 502 while the app restarted was rolled back at once.
  it('a 502 from a proxy while the app starts is waited for', async () => {
    warm = 0;
    const ctx = await makeStageContext({
      target: { environment: 'x', baseUrl: base },
      environment: { credentials: {}, health: { path: '/warm' } },
      config: { stages: { smoke: { testDir: undefined, flagsMirror: undefined, readiness: { interval: 20, timeout: '5s' } } as never } },
    });
    await smokeStage.run(ctx);
    expect(ctx.checks.find((c) => c.id === 'smoke.readiness')).toMatchObject({ status: 'passed', attempts: 3 });
  });
});

describe('smoke plan (before any request)', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a check naming an unknown role', { checks: [{ id: 'a', path: '/', role: 'superuser' }] }, /role "superuser" is not in environments\.x\.credentials/],
    ['a missing spec folder', { testDir: 'no/such/dir' }, /spec folder .* does not exist/],
    ['a missing flag mirror', { testDir: 'tests/smoke', flagsMirror: 'no-such-mirror.json' }, /flag mirror .* does not exist/],
    ['duplicate check ids', { checks: [{ id: 'a', path: '/' }, { id: 'a', path: '/x' }] }, /used twice/],
  ])('%s is a usage error', async (_n, smoke, message) => {
    const ctx = await makeStageContext({ target: { environment: 'x', baseUrl: base }, config: { stages: { smoke: { testDir: undefined, flagsMirror: undefined, ...smoke } as never } } });
    await expect(planSmoke({ config: ctx.config, settings: ctx.settings, target: ctx.target, secrets: ctx.secrets, imports: [], planned: ['smoke'] })).rejects.toThrow(message);
  });

  it('an expected version with nothing that reads it is a usage error', async () => {
    const ctx = await makeStageContext({ target: { environment: 'x', baseUrl: base, expectedVersion: '1.0.0' }, config: { stages: { smoke: { testDir: undefined } as never } } });
    await expect(planSmoke({ config: ctx.config, settings: ctx.settings, target: ctx.target, secrets: ctx.secrets, imports: [], planned: ['smoke'] })).rejects.toThrow(/nothing reads the live version/);
  });
});

describe('spec preconditions', () => {
  // Regression: a spec missing its configuration threw a plain Error, counted as a failed critical check → rollback.
  it('a PreconditionError makes the check errored, never failed', () => {
    const message = `Error: ${new PreconditionError('the password for role "viewer" is not set (env X)').message}`;
    expect(computeOutcome([{ status: 'failed', error: message }])).toMatchObject({ status: 'errored' });
    expect(computeOutcome([{ status: 'failed', error: 'expect(received).toBe(expected)' }])).toMatchObject({ status: 'failed' });
  });
});
