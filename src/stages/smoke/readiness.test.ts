import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForReadiness, type HealthSpec } from './readiness.ts';

// Real loopback servers that misbehave on purpose.

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: (n: number) => { status: number; body: unknown; headers?: Record<string, string> }): Promise<string> {
  let n = 0;
  const server = createServer((_req, res) => {
    const a = handler(++n);
    res.writeHead(a.status, { 'content-type': 'application/json', ...(a.headers ?? {}) });
    res.end(JSON.stringify(a.body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
}

async function closedPortUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}/health`;
}

const opts = { timeoutMs: 5000, intervalMs: 50, refusedGraceMs: 300, signal: new AbortController().signal };

describe('waitForReadiness', () => {
  it('is ready at once on a healthy answer', async () => {
    const url = await serve(() => ({ status: 200, body: { status: 'ok' } }));
    const r = await waitForReadiness({ ...opts, url });
    expect(r).toMatchObject({ ready: true, polls: 1, status: 200 });
  });

  it('waits while the target says it is starting', async () => {
    const url = await serve((n) => (n < 4 ? { status: 503, body: { status: 'starting' }, headers: { 'retry-after': '0' } } : { status: 200, body: { status: 'ok' } }));
    const r = await waitForReadiness({ ...opts, url });
    expect(r).toMatchObject({ ready: true, polls: 4 });
  });

  it('gives up on a target that never finishes starting', async () => {
    const url = await serve(() => ({ status: 503, body: { status: 'starting' } }));
    const r = await waitForReadiness({ ...opts, url, timeoutMs: 300 });
    expect(r).toMatchObject({ ready: false, cause: 'timeout' });
    if (!r.ready) expect(r.message).toMatch(/still starting/);
  });

  it('fails at once on what the config calls down', async () => {
    const url = await serve(() => ({ status: 503, body: { status: 'down', checks: { database: 'down' } } }));
    const r = await waitForReadiness({ ...opts, url, health: { ready: {}, warming: { status: 503 }, down: { json: { status: 'down' } } } });
    expect(r).toMatchObject({ ready: false, cause: 'down', polls: 1 });
    if (!r.ready) expect(r.message).toContain('database');
  });

  it('retries connection refused only for the grace period, and names the URL', async () => {
    const url = await closedPortUrl();
    const r = await waitForReadiness({ ...opts, url });
    expect(r).toMatchObject({ ready: false, cause: 'refused' });
    if (!r.ready) {
      expect(r.message).toBe(`connection refused at ${url}`);
      expect(r.polls).toBeGreaterThan(1);
    }
  });

  it('fails at once when the name does not resolve', async () => {
    const r = await waitForReadiness({ ...opts, url: 'http://pdv-readiness-test.invalid/health' });
    expect(r).toMatchObject({ ready: false, cause: 'dns', polls: 1 });
  });

  // Regression: readiness used to accept any answer but a warming 503, so a
  // deploy answering 500 (or 404) on its health endpoint stood.
  it.each([500, 404, 401, 400])('fails at once on HTTP %i (only what the config calls ready passes)', async (status) => {
    const url = await serve(() => ({ status, body: { error: 'boom' } }));
    const r = await waitForReadiness({ ...opts, url });
    expect(r).toMatchObject({ ready: false, cause: 'unhealthy', polls: 1, status });
    if (!r.ready) expect(r.message).toMatch(new RegExp(`HTTP ${status}, expected 2xx`));
  });

  const demoHealth: HealthSpec = {
    ready: { status: 200, json: { status: 'ok', 'checks.*': 'ok' } },
    warming: { status: 503, json: { status: 'starting' } },
    down: { json: { status: 'down' } },
  };

  it('checks the JSON fields the config names: a 200 whose dependency is down is not ready', async () => {
    const url = await serve(() => ({ status: 200, body: { status: 'ok', checks: { db: 'ok', cache: 'down' } } }));
    const r = await waitForReadiness({ ...opts, url, health: demoHealth });
    expect(r).toMatchObject({ ready: false, cause: 'unhealthy' });
    if (!r.ready) expect(r.message).toContain('checks.cache: is "down", expected "ok"');
  });

  it('a configured warming answer is retried, a configured down answer is not', async () => {
    const url = await serve((n) => (n < 3 ? { status: 503, body: { status: 'starting' } } : { status: 200, body: { status: 'ok', checks: { db: 'ok' } } }));
    expect(await waitForReadiness({ ...opts, url, health: demoHealth })).toMatchObject({ ready: true, polls: 3 });
    const down = await serve(() => ({ status: 200, body: { status: 'down' } }));
    expect(await waitForReadiness({ ...opts, url: down, health: demoHealth })).toMatchObject({ ready: false, cause: 'down', polls: 1 });
  });

  it('by default retries 502/503/504 until the bound, then fails', async () => {
    const url = await serve(() => ({ status: 502, body: 'bad gateway' }));
    const r = await waitForReadiness({ ...opts, url, timeoutMs: 400 });
    expect(r).toMatchObject({ ready: false, cause: 'timeout' });
    expect(r.polls).toBeGreaterThan(1);
  });

  it('follows same-origin redirects to the answer', async () => {
    let n = 0;
    const server = createServer((req, res) => {
      n++;
      if (req.url === '/') {
        res.writeHead(302, { location: '/login' });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<h1>sign in</h1>');
      }
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    expect(await waitForReadiness({ ...opts, url })).toMatchObject({ ready: true, polls: 1, status: 200 });
    expect(n).toBe(2);
  });

  // Regression: against a target that accepts and never answers, the per-attempt
  // bound stopped firing after two attempts and readiness ran to the stage timeout.
  it('bounds every attempt against a server that accepts and never answers', async () => {
    const hung = new Set<import('node:http').ServerResponse>();
    const server = createServer((_req, res) => {
      hung.add(res);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    try {
      const r = await waitForReadiness({ ...opts, url, timeoutMs: 1500, intervalMs: 10, attemptTimeoutMs: 150 });
      expect(r).toMatchObject({ ready: false, cause: 'timeout' });
      // Each attempt ended on its own bound, so many attempts fit in the wait.
      expect(r.polls).toBeGreaterThanOrEqual(4);
      expect(hung.size).toBeGreaterThanOrEqual(4);
    } finally {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
    }
  });
});
