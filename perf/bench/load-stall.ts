// The stall server (1 s freeze every 5 s, like the demo's `stall` fault):
// corrected p99 vs uncorrected p99 vs autocannon's p99, side by side.
// Run: node --import tsx perf/bench/load-stall.ts
import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { mergedHistogram } from '../../src/load/evaluate.ts';
import { runPlan } from '../../src/load/threads.ts';
import { executorSchema } from '../../src/load/scenario.ts';
import { startStallServer } from '../../src/load/testing/servers.ts';

const DURATION_S = 15;
const RATE = 100;
const CONNECTIONS = 4;

const srv = await startStallServer(1000, 5000);
try {
  console.log(`load average: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const spec = executorSchema.parse({ executor: 'constant-arrival-rate', rate: RATE, timeUnit: 1000, duration: DURATION_S * 1000, connections: CONNECTIONS, maxInFlight: 10_000, requests: [{ name: 'x', path: '/' }] });
  const r = await runPlan(
    { scenarios: [{ name: 's', spec, requests: [{ name: 'x', method: 'GET', origin: srv.url, path: '/', headers: {} }], weights: [1] }], thresholds: [], requestTimeoutMs: 10_000, windowMs: 1000, abort: { errorRate: 0.5, windowMs: 5000, minRequests: 100 } },
    { workers: 1 },
  );
  const cells = [...r.recorder.cells.values()];
  const c = mergedHistogram(cells, 'corrected');
  const u = mergedHistogram(cells, 'uncorrected');
  const ac = await new Promise<autocannon.Result>((res, rej) =>
    autocannon({ url: srv.url, connections: CONNECTIONS, duration: DURATION_S }, (e, x) => (e ? rej(e instanceof Error ? e : new Error(String(e))) : res(x))),
  );
  const ms = (us: number): string => (us / 1000).toFixed(1);
  console.log(`engine, open model ${RATE} req/s, ${CONNECTIONS} connections, ${DURATION_S} s (${c.totalCount} requests):`);
  console.log(`  corrected p50 ${ms(c.getValueAtPercentile(50))} ms, p99 ${ms(c.getValueAtPercentile(99))} ms, max ${ms(c.maxValue)} ms`);
  console.log(`  uncorrected p50 ${ms(u.getValueAtPercentile(50))} ms, p99 ${ms(u.getValueAtPercentile(99))} ms, max ${ms(u.maxValue)} ms`);
  console.log(`autocannon, closed loop, ${CONNECTIONS} connections, ${DURATION_S} s (${ac.requests.total} requests):`);
  console.log(`  p50 ${ac.latency.p50} ms, p99 ${ac.latency.p99} ms, max ${ac.latency.max} ms`);
} finally {
  await srv.close();
}
