// Load engine benchmarks (figures, not asserts): maximum sustainable
// open-model rate vs autocannon's closed-loop maximum; rate accuracy.
// Run: node --import tsx perf/bench/load-engine.ts
import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { mergedHistogram } from '../../src/load/evaluate.ts';
import type { EnginePlan } from '../../src/load/plan.ts';
import { runPlan } from '../../src/load/threads.ts';
import { executorSchema } from '../../src/load/scenario.ts';
import { startStallServer } from '../../src/load/testing/servers.ts';

const CONNECTIONS = 16;

function plan(url: string, rate: number, durationMs: number): EnginePlan {
  const spec = executorSchema.parse({ executor: 'constant-arrival-rate', rate, timeUnit: 1000, duration: durationMs, connections: CONNECTIONS, maxInFlight: 10_000, requests: [{ name: 'x', path: '/' }] });
  return {
    scenarios: [{ name: 'b', spec, requests: [{ name: 'x', method: 'GET', origin: url, path: '/', headers: {} }], weights: [1] }],
    thresholds: [],
    requestTimeoutMs: 10_000,
    windowMs: 1000,
    abort: { errorRate: 0.5, windowMs: 5000, minRequests: 100 },
  };
}

async function engineRun(url: string, rate: number, durationMs: number) {
  const r = await runPlan(plan(url, rate, durationMs), { workers: 1 });
  const rec = r.recorder;
  const done = [...rec.cells.values()].reduce((a, c) => a + c.count, 0);
  const lag = rec.sendLag.getValueAtPercentile(99) / 1000;
  const dropped = [...rec.dropped.values()].reduce((a, b) => a + b, 0);
  const achieved = rec.sent > 1 ? ((rec.sent - 1) * 1e6) / (rec.lastSendUs - rec.firstSendUs) : 0;
  const p99 = mergedHistogram([...rec.cells.values()], 'corrected').getValueAtPercentile(99) / 1000;
  // Sustainable: every request sent on time (p99 send lag < 5 ms), none dropped, all answered.
  const kept = dropped === 0 && done === rec.planned && achieved >= 0.99 * rate;
  const ok = kept && lag < 5 && p99 < 50;
  return { rate, achieved, errorPct: (100 * (achieved - rate)) / rate, lagP99: lag, dropped, p99, ok, kept };
}

const srv = await startStallServer(0, 1_000_000_000); // a trivial server in its own process
try {
  console.log(`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (cores: ${(await import('node:os')).availableParallelism()})`);
  const ac = await new Promise<autocannon.Result>((res, rej) =>
    autocannon({ url: srv.url, connections: CONNECTIONS, duration: 5 }, (e, r) => (e ? rej(e instanceof Error ? e : new Error(String(e))) : res(r))),
  );
  const acMax = ac.requests.average;
  console.log(`autocannon closed-loop max (${CONNECTIONS} connections, 5 s): ${acMax.toFixed(0)} req/s`);

  let best = 0;
  let bestKept = 0;
  for (const f of [0.4, 0.6, 0.7, 0.8, 0.9, 1.0]) {
    const rate = Math.round(acMax * f);
    const r = await engineRun(srv.url, rate, 4000);
    console.log(`  engine @ ${rate} req/s: achieved ${r.achieved.toFixed(0)}, send lag p99 ${r.lagP99.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, dropped ${r.dropped} → ${r.ok ? 'sustained' : r.kept ? 'rate kept, late' : 'NOT sustained'}`);
    if (r.ok) best = rate;
    if (r.kept) bestKept = rate;
  }
  console.log(`max sustainable open-model rate (on time: send lag p99 < 5 ms, p99 < 50 ms): ${best} req/s = ${(best / acMax).toFixed(2)} × autocannon (goal ≥ 0.8)`);
  console.log(`max rate kept (≥ 99 % achieved, nothing dropped, all answered): ${bestKept} req/s = ${(bestKept / acMax).toFixed(2)} × autocannon`);

  console.log('rate accuracy (achieved send rate vs requested, 5 s each):');
  for (const rate of [10, 100, 500, 1000]) {
    const r = await engineRun(srv.url, rate, 5000);
    console.log(`  ${rate} req/s → ${r.achieved.toFixed(2)} req/s (${r.errorPct >= 0 ? '+' : ''}${r.errorPct.toFixed(3)}%, goal within 1%)`);
  }
  console.log(`load average at end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  await srv.close();
}
