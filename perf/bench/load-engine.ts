// Load engine benchmark (figures, not asserts). Against one trivial loopback
// server in its own process, 16 connections, in the same run:
//   - the closed-loop references: autocannon and, when installed, wrk;
//   - pdv's open-model engine through the real CLI (`pdv run load`), one engine thread,
//     swept over fractions of autocannon's maximum: the highest rate kept on time;
//   - 1 vs N engine threads, where the machine has cores for them;
//   - rate accuracy at low rates (the count of requests sent over the schedule).
// The ratio is refused when the machine is visibly loaded: load average at or above
// the core count, a reference far below its quiet figure, or references that moved
// during the run. Run: node --import tsx perf/bench/load-engine.ts
// It builds first and runs the compiled CLI (PDV_SOURCES=0), what an installed pdv runs.
import autocannon from 'autocannon';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { mergedHistogram } from '../../src/load/evaluate.ts';
import type { EnginePlan } from '../../src/load/plan.ts';
import { Recorder } from '../../src/load/recorder.ts';
import { executorSchema } from '../../src/load/scenario.ts';
import { runPlan } from '../../src/load/threads.ts';
import { startStallServer } from '../../src/load/testing/servers.ts';
import { readRaw } from '../../src/stages/load/raw.ts';

const CONNECTIONS = 16;
const REF_SECONDS = 5;
const RUN_MS = 4000;
const CORES = availableParallelism();
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const built = spawnSync(process.execPath, [join(REPO, 'scripts/build.js')], { cwd: REPO, stdio: 'inherit' });
if (built.status !== 0) throw new Error('npm run build failed: the benchmark runs the compiled CLI');
/**
 * The references' quiet figures on this project's 2-core machine (issue 17: autocannon 95–112 k
 * req/s, wrk 69–101 k; seen again on 2026-12-01: autocannon up to 87 k, wrk up to 93 k). Another
 * machine sets its own with PDV_BENCH_QUIET_AUTOCANNON / PDV_BENCH_QUIET_WRK. Below 60 % of it,
 * the machine is loaded.
 */
const QUIET = { autocannon: Number(process.env.PDV_BENCH_QUIET_AUTOCANNON ?? 95_000), wrk: Number(process.env.PDV_BENCH_QUIET_WRK ?? 85_000) };
/** The benchmark's own busy processes (server, load generator) in the load average at its end. */
const OWN_LOAD = 2;
const FAR_BELOW = 0.6;
const exec = promisify(execFile);
const la = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
const k = (n: number): string => `${(n / 1000).toFixed(1)} k`;

async function autocannonMax(url: string): Promise<number> {
  const r = await new Promise<autocannon.Result>((res, rej) =>
    autocannon({ url, connections: CONNECTIONS, duration: REF_SECONDS }, (e, x) => (e ? rej(e instanceof Error ? e : new Error(String(e))) : res(x))),
  );
  return r.requests.average;
}

async function wrkMax(url: string): Promise<number | undefined> {
  try {
    const { stdout } = await exec('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${REF_SECONDS}s`, url]);
    const m = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined; // not installed (apt-get install wrk)
  }
}

interface EngineFigures {
  rate: number;
  workers: number;
  achieved: number;
  dropped: number;
  unanswered: number;
  lagP99: number;
  p99: number;
  firstWindowP99: number;
  laterP99: number;
  onTime: boolean;
}

function figures(rec: Recorder, rate: number, workers: number): EngineFigures {
  const cells = [...rec.cells.values()];
  const done = cells.reduce((a, c) => a + c.count, 0);
  const dropped = [...rec.dropped.values()].reduce((a, b) => a + b, 0);
  const achieved = rec.sent > 1 ? ((rec.sent - 1) * 1e6) / (rec.lastSendUs - rec.firstSendUs) : 0;
  const lagP99 = rec.sendLag.getValueAtPercentile(99) / 1000;
  const p99 = mergedHistogram(cells, 'corrected').getValueAtPercentile(99) / 1000;
  const windows = [...rec.windows.entries()].sort((a, b) => a[0] - b[0]).map(([, w]) => w.hist.getValueAtPercentile(99) / 1000);
  const onTime = dropped === 0 && done === rec.planned && achieved >= 0.99 * rate && lagP99 < 5 && p99 < 50;
  return { rate, workers, achieved, dropped, unanswered: rec.sent - done, lagP99, p99, firstWindowP99: windows[0] ?? 0, laterP99: Math.max(0, ...windows.slice(1)), onTime };
}

/** One run of the real CLI: `pdv run load` against the server, caps lifted explicitly for the rate. */
async function cliRun(dir: string, url: string, rate: number, workers: number): Promise<EngineFigures> {
  const tag = `r${rate}-w${workers}`;
  await writeFile(
    join(dir, `${tag}.scenario.ts`),
    `export default { name: 'bench', scenarios: { b: { executor: 'constant-arrival-rate', rate: ${rate}, timeUnit: '1s', duration: '${RUN_MS}ms', connections: ${CONNECTIONS}, maxInFlight: 10000, requests: [{ name: 'x', path: '/' }] } }, thresholds: { http_req_failed: ['rate<0.01'] } };\n`,
  );
  await writeFile(
    join(dir, `${tag}.config.ts`),
    `export default { environments: { staging: { baseUrl: ${JSON.stringify(url)}, allowedHosts: ['127.0.0.1'] } },
  stages: { load: { scenario: '${tag}.scenario.ts', workers: ${workers}, baseline: { enabled: false }, caps: { maxRate: ${Math.ceil(rate * 1.1)} } } },
  reportsDir: 'reports' };\n`,
  );
  const out = join(dir, tag);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/pdv.js'), 'run', 'load', '--config', join(dir, `${tag}.config.ts`), '--out', out, '--json'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PDV_SOURCES: '0' } });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    // 0 stand, 1 rollback, 2 hold: all carry measurements; 3 is a usage error.
    child.on('close', (code) => (code !== null && code <= 2 ? resolve() : reject(new Error(`pdv run load exited with ${code}: ${err.slice(-400)}`))));
  });
  const raw = await readRaw(out);
  return figures(Recorder.from([raw.snapshot], raw.snapshot.windowMs), rate, raw.workers);
}

function line(r: EngineFigures): string {
  const verdict = r.onTime ? 'on time' : r.dropped === 0 && r.unanswered === 0 && r.achieved >= 0.99 * r.rate ? 'rate kept, late' : 'NOT kept';
  return `${k(r.rate)} req/s × ${r.workers} thread(s): achieved ${k(r.achieved)}, dropped ${r.dropped}, send lag p99 ${r.lagP99.toFixed(2)} ms, corrected p99 ${r.p99.toFixed(1)} ms (first second ${r.firstWindowP99.toFixed(1)}, later ≤ ${r.laterP99.toFixed(1)}) → ${verdict}`;
}

async function accuracy(url: string, rate: number): Promise<number> {
  const spec = executorSchema.parse({ executor: 'constant-arrival-rate', rate, timeUnit: 1000, duration: 3000, connections: CONNECTIONS, maxInFlight: 10_000, requests: [{ name: 'x', path: '/' }] });
  const plan: EnginePlan = {
    scenarios: [{ name: 'b', spec, requests: [{ name: 'x', method: 'GET', origin: url, path: '/', headers: {} }], weights: [1] }],
    thresholds: [],
    requestTimeoutMs: 10_000,
    windowMs: 1000,
    abort: { errorRate: 0.5, windowMs: 5000, minRequests: 100 },
  };
  const rec = (await runPlan(plan, { workers: 1 })).recorder;
  return ((rec.sent - 1) * 1e6) / (rec.lastSendUs - rec.firstSendUs);
}

const srv = await startStallServer(0, 1_000_000_000); // a trivial server in its own process
const dir = await mkdtemp(join(tmpdir(), 'pdv-bench-load-'));
try {
  const loadStart = loadavg()[0] ?? 0;
  console.log(`load average at start: ${la()} (cores: ${CORES}); server: its own process, ${CONNECTIONS} connections`);
  const ac1 = await autocannonMax(srv.url);
  const wrk1 = await wrkMax(srv.url);
  console.log(`autocannon closed-loop max (${REF_SECONDS} s): ${k(ac1)} req/s; wrk: ${wrk1 === undefined ? 'not installed' : `${k(wrk1)} req/s`}`);

  const runs: EngineFigures[] = [];
  for (const f of [0.4, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.4]) {
    const r = await cliRun(dir, srv.url, Math.round((ac1 * f) / 100) * 100, 1);
    runs.push(r);
    console.log(`  CLI ${line(r)}`);
  }
  const best = Math.max(0, ...runs.filter((r) => r.onTime).map((r) => r.rate));
  const kept = Math.max(0, ...runs.filter((r) => r.dropped === 0 && r.unanswered === 0 && r.achieved >= 0.99 * r.rate).map((r) => r.rate));

  // 1 vs N threads: each thread takes a stripe of the schedule and a share of the connections.
  const n = Math.min(4, CORES - 1);
  if (n >= 2 && best > 0) {
    for (const w of [1, n]) console.log(`  CLI ${line(await cliRun(dir, srv.url, best, w))}`);
  } else {
    console.log(`  1 vs N threads: this machine has ${CORES} cores; with the server on one, ${CORES - 1} is left for the engine, so N > 1 threads would only share it (no scaling figure here)`);
    if (best > 0) console.log(`  CLI ${line(await cliRun(dir, srv.url, best, 2))}  (2 threads on 1 free core: for the record)`);
  }

  const rates = [10, 100, 500, 1000];
  const acc: string[] = [];
  for (const rate of rates) {
    const a = await accuracy(srv.url, rate);
    acc.push(`${rate} → ${a.toFixed(2)} (${a >= rate ? '+' : ''}${((100 * (a - rate)) / rate).toFixed(3)} %)`);
  }
  console.log(`rate accuracy, achieved send rate (3 s each, goal within 1 %): ${acc.join(', ')}`);

  const ac2 = await autocannonMax(srv.url);
  const wrk2 = await wrkMax(srv.url);
  const loadEnd = loadavg()[0] ?? 0;
  console.log(`autocannon again at the end: ${k(ac2)} req/s; wrk: ${wrk2 === undefined ? 'not installed' : `${k(wrk2)} req/s`}; load average at end: ${la()}`);

  const ref = Math.max(ac1, ac2);
  const refusals: string[] = [];
  if (loadStart >= CORES) refusals.push(`load average ${loadStart.toFixed(2)} ≥ ${CORES} cores at the start`);
  if (loadEnd >= CORES + OWN_LOAD) refusals.push(`load average ${loadEnd.toFixed(2)} at the end ≥ ${CORES} cores + the benchmark's own ${OWN_LOAD} busy processes`);
  if (ref < FAR_BELOW * QUIET.autocannon) refusals.push(`autocannon ${k(ref)} req/s is far below its quiet ${k(QUIET.autocannon)} (PDV_BENCH_QUIET_AUTOCANNON)`);
  const wrkRef = Math.max(wrk1 ?? 0, wrk2 ?? 0);
  if (wrkRef && wrkRef < FAR_BELOW * QUIET.wrk) refusals.push(`wrk ${k(wrkRef)} req/s is far below its quiet ${k(QUIET.wrk)} (PDV_BENCH_QUIET_WRK)`);
  if (Math.abs(ac1 - ac2) > 0.2 * ref) refusals.push(`autocannon moved from ${k(ac1)} to ${k(ac2)} req/s during the run`);
  console.log(`max rate kept on time (nothing dropped, send lag p99 < 5 ms, corrected p99 < 50 ms), 1 engine thread, real CLI: ${k(best)} req/s`);
  console.log(`max rate kept, late or not (nothing dropped, all answered, ≥ 99 % achieved): ${k(kept)} req/s`);
  if (refusals.length) {
    console.log(`ratio NOT reported: the machine is visibly loaded (${refusals.join('; ')}). Figures above are for the record only.`);
  } else {
    console.log(`ratio on time: ${(best / ac1).toFixed(2)} × autocannon (goal ≥ 0.8)${wrkRef ? `, ${(best / wrkRef).toFixed(2)} × wrk` : ''}; kept: ${(kept / ac1).toFixed(2)} × autocannon${wrkRef ? `, ${(kept / wrkRef).toFixed(2)} × wrk` : ''}`);
  }
} finally {
  await srv.close();
  await rm(dir, { recursive: true, force: true });
}
