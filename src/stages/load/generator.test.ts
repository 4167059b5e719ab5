import { afterEach, describe, expect, it } from 'vitest';
import { policy } from '../../core/policy.ts';
import type { EnginePlan } from '../../load/plan.ts';
import { Recorder } from '../../load/recorder.ts';
import { executorSchema } from '../../load/scenario.ts';
import { runPlan } from '../../load/threads.ts';
import { parseThresholds } from '../../load/thresholds.ts';
import { startServer, type TestServer } from '../../load/testing/servers.ts';
import { compareWithBaseline } from './baseline.ts';
import { loadConfigSchema } from './config.ts';
import { generatorFault, generatorHealth } from './health.ts';
import { startSkew } from './merge.ts';
import { loadChecks, summarizeLoad, type Measured } from './results.ts';

// Only the target can fail a check: a generator too late for the latency bound being judged
// makes the run say nothing about the target (hold, naming the generator), never rollback.

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const cfg = loadConfigSchema.parse({ scenario: 's.ts', maxSendLag: 10_000 });
// A latency bound wide enough (100 ms allowed lateness) that a test machine busy with other
// test files keeps the generator on time against the slow server, while the hog below is not.
const thresholds = parseThresholds({ http_req_duration: ['p(99)<1000'], http_req_failed: ['rate<0.01'] }, 's.ts');

function plan(url: string): EnginePlan {
  const spec = executorSchema.parse({ executor: 'constant-arrival-rate', rate: 50, timeUnit: 1000, duration: 2500, connections: 100, requests: [{ name: 'x', path: '/' }] });
  return {
    scenarios: [{ name: 's', spec, requests: [{ name: 'x', method: 'GET', origin: url, path: '/', headers: {} }], weights: [1] }],
    thresholds,
    requestTimeoutMs: 10_000,
    windowMs: 1000,
    abort: { errorRate: 0.5, windowMs: 3000, minRequests: 20 },
  };
}

async function judge(url: string): Promise<{ verdict: string; checks: ReturnType<typeof loadChecks>; reasons: string[] }> {
  const r = await runPlan(plan(url), { workers: 1 });
  const m: Measured = { recorder: r.recorder, elapsedMs: r.elapsedMs, workers: 1, thresholds, scenario: 's', file: 's.ts' };
  const checks = loadChecks(m, summarizeLoad(m, cfg), cfg, 0);
  const result = policy({ checks, stages: [], required: [] });
  return { verdict: result.verdict, checks, reasons: result.reasons.map((x) => `${x.checkId}: ${x.message}`) };
}

/** Runs `f` while the generator's own thread is kept busy `busyMs` out of every `everyMs`. */
async function hogged<T>(busyMs: number, everyMs: number, f: () => Promise<T>): Promise<T> {
  const hog = setInterval(() => {
    const end = Date.now() + busyMs;
    while (Date.now() < end);
  }, everyMs);
  try {
    return await f();
  } finally {
    clearInterval(hog);
  }
}

describe('the generator is never blamed on the target', () => {
  it('instant server, generator hogged by a CPU loop in its own process → hold naming the generator, not rollback', async () => {
    const srv = await startServer();
    servers.push(srv);
    // 1.1 s of busy CPU every 1.5 s on the generator's own thread: its sends and reads wait for it,
    // so the corrected p99 breaks the 1000 ms bound (a rollback before this rule) though the server answers at once.
    const out = await hogged(1100, 1500, () => judge(srv.url));
    const latency = out.checks.find((c) => c.id.startsWith('load.threshold.http-req-duration'));
    expect(latency?.status).toBe('errored');
    expect(latency?.message).toMatch(/the generator was late by \d+ ms against a bound of 1000 ms/);
    expect(out.checks.find((c) => c.id === 'load.engine')).toMatchObject({ status: 'errored' });
    expect(out.checks.find((c) => c.id === 'load.engine')?.message).toMatch(/load generator too late/);
    // The error-rate threshold is no latency bound: still judged, on the target's answers.
    expect(out.checks.find((c) => c.id.startsWith('load.threshold.http-req-failed'))?.status).toBe('passed');
    expect(out.verdict).toBe('hold');
    expect(out.reasons.join('\n')).toMatch(/load\.engine: .*generator/);
  });

  // A busy CI runner made every demo load run hold: corrected latency only grows with the
  // generator's lateness, so a bound it still meets is met.
  it('a late generator whose corrected latency still meets the bound: passed, and load.engine is no hold', async () => {
    const srv = await startServer();
    servers.push(srv);
    const out = await hogged(250, 600, () => judge(srv.url));
    const latency = out.checks.find((c) => c.id.startsWith('load.threshold.http-req-duration'));
    expect(latency?.status).toBe('passed');
    expect(latency?.message).toMatch(/although the generator was late/);
    expect(out.checks.find((c) => c.id === 'load.engine')?.status).toBe('passed');
    expect(out.verdict).toBe('stand');
  });

  it('the same thresholds against a genuinely slow server (1.2 s) → rollback', async () => {
    const srv = await startServer(() => ({ delayMs: 1200 }));
    servers.push(srv);
    const out = await judge(srv.url);
    expect(out.checks.find((c) => c.id === 'load.engine')?.status).toBe('passed');
    expect(out.checks.find((c) => c.id.startsWith('load.threshold.http-req-duration'))?.status).toBe('failed');
    expect(out.verdict).toBe('rollback');
  });
});

describe('the validity rule is tied to the bound judged', () => {
  const rec = (lagUs: number, loopUs: number): Recorder => {
    const r = new Recorder(1000);
    for (let i = 0; i < 100; i++) {
      r.sendLag.recordValue(lagUs);
      r.loopDelay.recordValue(loopUs);
    }
    return r;
  };
  it.each([
    // lateness (send lag, loop delay in µs), bound (ms) → judged?
    [2_000, 500, 200, true],
    [2_000, 500, 15, false],
    [500, 30_000, 200, false],
    [19_000, 0, 200, true],
    [21_000, 0, 200, false],
  ])('send lag %i µs, loop delay %i µs, bound %i ms → judged %s', (lag, loop, bound, judged) => {
    const g = generatorHealth(rec(lag, loop), [], 0.1);
    expect(generatorFault(g, bound) === undefined).toBe(judged);
  });

  it('imported results (no pdv generator) are not gated on a generator that did not run', () => {
    expect(generatorFault(generatorHealth(rec(0, 0), [], 0.1, false), 0.001)).toBeUndefined();
  });

  it('the tightest latency bound is what load.engine is judged against', () => {
    const ts = parseThresholds({ http_req_duration: ['p(95)<300', 'p(99)<800'], 'http_req_duration{name:a}': ['p(95)<150'], http_req_failed: ['rate<0.01'] }, 's.ts');
    expect(generatorHealth(rec(1, 1), ts, 0.1).tightestBoundMs).toBe(150);
  });

  it('a baseline comparison is errored when the generator was late (p95) by more than half its floor (10 ms)', () => {
    const r = rec(6_000, 0);
    const windows = (level: number) => Array.from({ length: 12 }, (_, i) => ({ t: i, count: 40, failed: 0, p50: level, p95: level + (i % 3), p99: level * 2 }));
    const m: Measured = { recorder: r, elapsedMs: 12_000, workers: 1, thresholds: [], scenario: 's', file: 's.ts' };
    const summary = { ...summarizeLoad(m, cfg), series: windows(80) };
    const base = { version: 1 as const, runId: 'r0', recordedAt: '', environment: 'staging', scenario: 's', windowsP95: windows(40).slice(1).map((w) => w.p95), latency: summary.latency, throughput: 1 };
    const out = compareWithBaseline(summary, base, cfg.baseline);
    expect(out.check.status).toBe('errored');
    expect(out.check.message).toMatch(/generator was late \(p95\) by 6 ms against a bound of 10 ms/);
    // Late by 4 ms at p95: it cannot account for most of a 10 ms shift, so the comparison is judged.
    const onTime = { ...summarizeLoad({ ...m, recorder: rec(4_000, 0) }, cfg), series: windows(80) };
    expect(compareWithBaseline(onTime, base, cfg.baseline).check.status).toBe('failed');
  });
});

describe('pdv merge: segments that did not start together are refused', () => {
  it.each([
    [[1000, 1200, 1900], undefined],
    [[1000, 1200, 2100], /started 1\.100 s apart/],
    [[1000, undefined, 1000], /do not record when their schedule started/],
  ] as const)('starts %j', (starts, problem) => {
    const raws = starts.map((t, i) => ({ segment: { index: i + 1, total: starts.length }, ...(t !== undefined ? { startEpochMs: t } : {}) }));
    const got = startSkew(raws, 1000);
    if (problem) expect(got).toMatch(problem);
    else expect(got).toBeUndefined();
  });
});
