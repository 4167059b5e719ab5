import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForReadiness } from './readiness.ts';

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

  it('fails at once on a definitive "down"', async () => {
    const url = await serve(() => ({ status: 503, body: { status: 'down', checks: { database: 'down' } } }));
    const r = await waitForReadiness({ ...opts, url });
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

  it('lets a non-warming error answer through to the specs', async () => {
    const url = await serve(() => ({ status: 500, body: { error: 'boom' } }));
    const r = await waitForReadiness({ ...opts, url });
    expect(r).toMatchObject({ ready: true, status: 500 });
  });
});
