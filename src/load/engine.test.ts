import autocannon from 'autocannon';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Redactor } from '../core/redact.ts';
import { UsageError } from '../core/errors.ts';
import { capacityCheck } from '../stages/load/capacity.ts';
import { loadConfigSchema } from '../stages/load/config.ts';
import { loadChecks, summarizeLoad } from '../stages/load/results.ts';
import { mergedHistogram } from './evaluate.ts';
import type { EnginePlan } from './plan.ts';
import { prepare } from './prepare.ts';
import { chooseWorkers, planForWorker, runPlan } from './threads.ts';
import { assertWithinCaps, hostAllowed, LoadRefused } from './safety.ts';
import { executorSchema, type ExecutorSpec } from './scenario.ts';
import { validateScenario } from './scenario-file.ts';
import { parseThresholds } from './thresholds.ts';
import { startServer, startStallServer, type TestServer } from './testing/servers.ts';

// The engine against real loopback servers that misbehave on purpose.

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

function spec(o: Partial<ExecutorSpec> & { rate: number; duration: number }): ExecutorSpec {
  return executorSchema.parse({ executor: 'constant-arrival-rate', timeUnit: 1000, requests: [{ name: 'x', path: '/' }], ...o });
}

function plan(url: string, s: ExecutorSpec, thresholds: EnginePlan['thresholds'] = [], abort: Partial<EnginePlan['abort']> = {}): EnginePlan {
  return {
    scenarios: [{ name: 's', spec: s, requests: [{ name: 'x', method: 'GET', origin: url, path: '/', headers: {} }], weights: [1] }],
    thresholds,
    requestTimeoutMs: 10_000,
    windowMs: 1000,
    abort: { errorRate: 0.5, windowMs: 3000, minRequests: 20, ...abort },
  };
}

const p99 = (r: Awaited<ReturnType<typeof runPlan>>, which: 'corrected' | 'uncorrected'): number =>
  mergedHistogram([...r.recorder.cells.values()], which).getValueAtPercentile(99) / 1000;

describe('open-model engine', () => {
  it('stall: corrected p99 shows the freeze; uncorrected and closed-loop (autocannon) p99 hide it', async () => {
    // 600 ms freeze every 2 s; 250 req/s over 2 connections: few requests are on a socket when it freezes.
    const srv = await startStallServer(600, 2000);
    servers.push(srv);
    const r = await runPlan(plan(srv.url, spec({ rate: 250, duration: 4500, connections: 2, maxInFlight: 5000 })), { workers: 1 });
    const corrected = p99(r, 'corrected');
    const uncorrected = p99(r, 'uncorrected');
    const closed = await new Promise<autocannon.Result>((resolve, reject) =>
      autocannon({ url: srv.url, connections: 2, duration: 4 }, (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res))),
    );
    // Requests intended during a freeze wait for it: about a fifth of them, so p99 is deep in the freeze.
    expect(corrected).toBeGreaterThanOrEqual(300);
    expect(uncorrected).toBeLessThan(corrected / 2);
    expect(closed.latency.p99).toBeLessThan(corrected / 2);
  });

  it('aborts when the target error rate passes the level over the window', async () => {
    const srv = await startServer(() => ({ status: 500 }));
    servers.push(srv);
    const r = await runPlan(plan(srv.url, spec({ rate: 100, duration: 20_000 }), [], { errorRate: 0.5, windowMs: 2000, minRequests: 20 }), { workers: 1 });
    expect(r.abort?.kind).toBe('error-rate');
    expect(r.abort?.reason).toMatch(/error rate 100\.0% .* passed the abort level 50\.0%/);
    expect(r.recorder.planned).toBeLessThan(2000);
  });

  it('counts requests over the in-flight cap as dropped, never sent', async () => {
    const srv = await startServer(() => ({ delayMs: 3000 }));
    servers.push(srv);
    const r = await runPlan(plan(srv.url, spec({ rate: 50, duration: 1000, maxInFlight: 5, connections: 10 })), { workers: 1 });
    const dropped = [...r.recorder.dropped.values()].reduce((a, b) => a + b, 0);
    expect(r.recorder.planned).toBe(50);
    expect(r.recorder.sent).toBe(5);
    expect(dropped).toBe(45);
  });

  it('abortOnFail stops the load early and the check says so', async () => {
    const srv = await startServer(() => ({ delayMs: 150 }));
    servers.push(srv);
    const thresholds = parseThresholds({ http_req_duration: [{ threshold: 'p(95)<50', abortOnFail: true, delayAbortEval: 500 }] }, 't.ts');
    const r = await runPlan(plan(srv.url, spec({ rate: 50, duration: 20_000 }), thresholds), { workers: 1 });
    expect(r.abort?.kind).toBe('threshold');
    expect(r.recorder.planned).toBeLessThan(1000);
    // This test is about abortOnFail, not the generator-lateness rule (stages/load/generator.test.ts):
    // on a busy runner this process's own loop delay could make the 50 ms bound unjudgeable, so the
    // generator's health is left out of this summary (as for a run that did not measure it).
    const m = { recorder: r.recorder, elapsedMs: r.elapsedMs, workers: 1, abort: r.abort!, thresholds, scenario: 's', file: 't.ts', generatorMeasured: false };
    const summary = summarizeLoad(m, { maxSendLag: 10_000 });
    const check = loadChecks(m, summary, { severity: 'major' }, 0).find((c) => c.id.startsWith('load.threshold.'));
    expect(check?.status).toBe('failed');
    expect(check?.message).toMatch(/abortOnFail stopped the load early/);
  });

  it('a threshold over a request that never ran is errored, not passed', async () => {
    const srv = await startServer();
    servers.push(srv);
    const thresholds = parseThresholds({ 'http_req_duration{name:nope}': ['p(95)<500'], http_req_failed: ['rate<0.5'] }, 't.ts');
    const r = await runPlan(plan(srv.url, spec({ rate: 20, duration: 500 }), thresholds), { workers: 1 });
    const m = { recorder: r.recorder, elapsedMs: r.elapsedMs, workers: 1, thresholds, scenario: 's', file: 't.ts' };
    const checks = loadChecks(m, summarizeLoad(m, { maxSendLag: 10_000 }), { severity: 'major' }, 0);
    expect(checks.find((c) => c.title.includes('{name:nope}'))?.status).toBe('errored');
    expect(checks.find((c) => c.title.startsWith('http_req_failed'))?.status).toBe('passed');
  });

  it('sleeps between arrivals instead of spinning: no event-loop turn per microsecond while nothing is due', async () => {
    const srv = await startServer();
    servers.push(srv);
    // 200 req/s: 5 ms between arrivals. A scheduler that spins on setImmediate before each arrival
    // queues hundreds of immediates per request; one that sleeps on a timer queues only undici's own
    // (about two per request on a reused keep-alive socket), whatever the machine's speed.
    const immediate = vi.spyOn(globalThis, 'setImmediate');
    try {
      const r = await runPlan(plan(srv.url, spec({ rate: 200, duration: 1000, connections: 2 })), { workers: 1 });
      expect(r.recorder.sent).toBe(200);
      expect(immediate.mock.calls.length).toBeLessThan(5 * 200);
      // Every arrival still goes out on its own intended start, measured: the lateness is the send lag.
      expect(r.recorder.sendLag.totalCount).toBe(200);
    } finally {
      immediate.mockRestore();
    }
  });

  it('fills {{i}} in a path and a body with each arrival\'s own index', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        // The connection probes before the clock are GETs: only the scheduled POSTs count.
        if (req.method === 'POST') seen.push(`${req.url ?? ''} ${body}`);
        res.end('ok');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push({ url: '', close: () => new Promise<void>((r) => server.close(() => r())) });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const p = plan(url, spec({ rate: 100, duration: 300 }));
    p.scenarios[0]!.requests = [{ name: 'x', method: 'POST', origin: url, path: '/item/{{i}}?again={{i}}', headers: { 'content-type': 'application/json' }, body: '{"k":{{i}}}' }];
    const r = await runPlan(p, { workers: 1 });
    expect(r.recorder.sent).toBe(30);
    expect(seen.sort()).toEqual(Array.from({ length: 30 }, (_, k) => `/item/${k}?again=${k} {"k":${k}}`).sort());
  });

  it('batched sends keep the intended start: a stalled generator shows in corrected latency and send lag, not uncorrected', async () => {
    const srv = await startServer();
    servers.push(srv);
    // 3000 req/s is well past one arrival per ms: the scheduler sends in batches. At the first
    // progress report of the run (~250 ms in) this process freezes for 300 ms: the generator stalls, not the target.
    let frozen = false;
    const onProgress = (): void => {
      if (frozen) return;
      frozen = true;
      const end = Date.now() + 300;
      while (Date.now() < end);
    };
    const r = await runPlan(plan(srv.url, spec({ rate: 3000, duration: 1500, connections: 8, maxInFlight: 10_000 })), { workers: 1, onProgress });
    expect(frozen).toBe(true);
    expect(r.recorder.planned).toBe(4500);
    expect(r.recorder.sent).toBe(4500);
    const corrected = mergedHistogram([...r.recorder.cells.values()], 'corrected');
    // About 900 arrivals fall in the freeze: each waited for its end, measured from its own intended start.
    expect(corrected.getValueAtPercentile(99) / 1000).toBeGreaterThanOrEqual(150);
    expect(r.recorder.sendLag.getValueAtPercentile(99) / 1000).toBeGreaterThanOrEqual(150);
    expect(p99(r, 'uncorrected')).toBeLessThan(corrected.getValueAtPercentile(99) / 1000 / 2);
  });

  it('stall at a batching rate: requests intended during the freeze carry it in corrected latency', async () => {
    // 400 ms freeze every 1.5 s at 1500 req/s over 4 connections.
    const srv = await startStallServer(400, 1500);
    servers.push(srv);
    const r = await runPlan(plan(srv.url, spec({ rate: 1500, duration: 3000, connections: 4, maxInFlight: 20_000 })), { workers: 1 });
    expect(r.recorder.sent + [...r.recorder.dropped.values()].reduce((a, b) => a + b, 0)).toBe(4500);
    const corrected = p99(r, 'corrected');
    expect(corrected).toBeGreaterThanOrEqual(200);
    expect(p99(r, 'uncorrected')).toBeLessThan(corrected / 2);
  });

  it('opens every connection of the pool before the clock starts', async () => {
    const peers = new Set<string>();
    const server = createServer((req, res) => {
      peers.add(`${req.socket.remotePort}`);
      req.resume();
      res.end('ok');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    servers.push({ url, close: async () => { server.closeAllConnections(); await new Promise<void>((res) => server.close(() => res())); } });
    // One arrival only: without the warm-up it would open a single connection.
    const r = await runPlan(plan(url, spec({ rate: 1, duration: 1000, connections: 6 })), { workers: 1 });
    expect(r.recorder.sent).toBe(1);
    expect(peers.size).toBe(6);
  });

  it('the engine warm-up before the clock sends reads only and is not counted', async () => {
    const seen = { GET: 0, POST: 0 };
    const counting = await startServer((req) => {
      seen[req.url.startsWith('/w') ? 'POST' : 'GET']++;
      return {};
    });
    servers.push(counting);
    // 2500 req/s: above the warm-up threshold. Half reads, half writes.
    const s = spec({ rate: 2500, duration: 400, connections: 4, maxInFlight: 10_000 });
    const p: EnginePlan = {
      ...plan(counting.url, s),
      scenarios: [
        {
          name: 's',
          spec: s,
          requests: [
            { name: 'r', method: 'GET', origin: counting.url, path: '/r', headers: {} },
            { name: 'w', method: 'POST', origin: counting.url, path: '/w', headers: {}, body: 'x' },
          ],
          weights: [1, 1],
        },
      ],
    };
    const r = await runPlan(p, { workers: 1 });
    const cells = [...r.recorder.cells.values()];
    const writes = cells.filter((c) => c.name === 'w').reduce((a, c) => a + c.count, 0);
    expect(r.recorder.planned).toBe(1000);
    expect(cells.reduce((a, c) => a + c.count, 0)).toBe(1000);
    // Every write the server saw belongs to the schedule; the warm-up's ~2500 requests were reads.
    expect(seen.POST).toBe(writes);
    expect(seen.GET).toBeGreaterThan(1000 - writes + 1000);
  });

  it('a target already failing the connection probes gets no warm-up load', async () => {
    let seen = 0;
    const failing = await startServer(() => {
      seen++;
      return { status: 500 };
    });
    servers.push(failing);
    // 2500 req/s is above the warm-up threshold; the abort is off so only the schedule's own requests count.
    const r = await runPlan(plan(failing.url, spec({ rate: 2500, duration: 400, connections: 4, maxInFlight: 10_000 }), [], { errorRate: 1.01 }), { workers: 1 });
    expect(r.recorder.planned).toBe(1000);
    // The 4 connection probes and the schedule: none of the ~2500 warm-up requests a healthy target gets.
    expect(seen).toBeLessThanOrEqual(4 + 1000);
  });

  it('two worker threads send the whole schedule once; their histograms add up', async () => {
    const srv = await startServer();
    servers.push(srv);
    const r = await runPlan(plan(srv.url, spec({ rate: 100, duration: 1000 })), { workers: 2 });
    expect(r.workers).toBe(2);
    expect(r.recorder.planned).toBe(100);
    const done = [...r.recorder.cells.values()].reduce((a, c) => a + c.count, 0);
    expect(done + [...r.recorder.dropped.values()].reduce((a, b) => a + b, 0)).toBe(100);
    expect(mergedHistogram([...r.recorder.cells.values()], 'corrected').totalCount).toBe(done);
  });
});

describe('capacity mode (closed loop)', () => {
  it('reports autocannon throughput as a capacity check, never as SLA thresholds', async () => {
    const srv = await startServer();
    servers.push(srv);
    const p = plan(srv.url, spec({ rate: 1, duration: 1000 }));
    const cfg = loadConfigSchema.parse({ capacity: { enabled: true, duration: '1s', connections: 2, minRps: 1 } });
    const { check, result } = await capacityCheck(p, cfg, new AbortController().signal);
    expect(check).toMatchObject({ id: 'load.capacity', status: 'passed', severity: 'minor', onFail: 'warn', unit: 'req/s', limit: 1 });
    expect(result?.total).toBeGreaterThan(0);
    expect(check.message).toMatch(/closed-loop latency is context, not SLA/);
  });
});

describe('worker threads share the connections', () => {
  it.each([
    [16, 2, [8, 8]],
    [5, 2, [3, 2]],
    [3, 3, [1, 1, 1]],
  ])('%i connections over %i threads → %j', (connections, n, shares) => {
    const p = plan('http://127.0.0.1:1', spec({ rate: 10, duration: 1000, connections, maxInFlight: 100 }));
    const got = Array.from({ length: n }, (_, w) => planForWorker(p, w, n).scenarios[0]?.spec.connections);
    expect(got).toEqual(shares);
  });

  it('never more threads than the smallest pool has connections', () => {
    expect(chooseWorkers(plan('http://127.0.0.1:1', spec({ rate: 10, duration: 1000, connections: 2 })), 8)).toBe(2);
  });
});

describe('safety', () => {
  const peak = (rate: number) => ({ peakRate: rate, durationMs: 1000, connections: 16, inFlight: 100 });
  it('caps: the default refuses; an explicit maxRate lifts the rate cap (documented), up to the typo guard', () => {
    const caps = (maxRate: number) => ({ maxRate, maxDurationMs: 600_000, maxConnections: 256 });
    const defaults = loadConfigSchema.parse({}).caps;
    expect(() => assertWithinCaps(peak(1500), { maxRate: defaults.maxRate, maxDurationMs: defaults.maxDuration, maxConnections: defaults.maxConnections }, 'x')).toThrow(/exceeds the cap of 1000\/s \(raise caps.maxRate/);
    expect(() => assertWithinCaps(peak(80_000), caps(100_000), 'x')).not.toThrow();
    expect(() => assertWithinCaps(peak(120_000), caps(100_000), 'x')).toThrow(LoadRefused);
    expect(() => loadConfigSchema.parse({ caps: { maxRate: 2_000_000 } })).toThrow();
  });


  it.each([
    ['http://127.0.0.1:8080/x', ['127.0.0.1'], true],
    ['http://127.0.0.1:8080/x', ['127.0.0.1:8080'], true],
    ['http://127.0.0.1:8080/x', ['127.0.0.1:9090'], false],
    ['http://localhost:8080/x', ['127.0.0.1'], false],
    ['http://127.0.0.1/x', [], false],
    ['https://api.staging.example.com/', ['*.example.com'], true],
    ['https://example.com/', ['*.example.com'], false],
    ['https://evil-example.com/', ['*.example.com'], false],
    ['http://[::1]:3000/', ['::1'], true],
  ])('%s with %j → %s', (url, hosts, ok) => expect(hostAllowed(url, hosts)).toBe(ok));

  it('refuses a target off the allow-list before sending anything (not even a login)', async () => {
    let hits = 0;
    const srv = await startServer(() => {
      hits++;
      return {};
    });
    servers.push(srv);
    const loaded = validateScenario({ login: { path: '/login' }, scenarios: { a: { executor: 'constant-arrival-rate', rate: 1, duration: '1s', requests: [{ name: 'x', path: '/', role: 'viewer' }] } } }, 'p.ts');
    const attempt = prepare({
      scenario: loaded.scenario,
      file: 'p.ts',
      thresholds: [],
      baseUrl: srv.url,
      credentials: { viewer: { username: 'v', passwordEnv: 'PW' } },
      secrets: new Map([['PW', 'pw-123456']]),
      vars: {},
      allowedHosts: ['staging.example.com'],
      redactor: new Redactor(),
      runId: 'r',
      requestTimeoutMs: 1000,
      abort: { errorRate: 0.5, windowMs: 1000, minRequests: 1 },
      windowMs: 1000,
    });
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(/refused to send load to 127\.0\.0\.1:\d+: not on environment.allowedHosts/);
    expect(hits).toBe(0);
  });
});
