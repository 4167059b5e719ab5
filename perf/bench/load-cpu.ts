// Generator cost (figures, not asserts): CPU seconds each load generator spends per 100 000
// requests at the same fixed rates against the same trivial server. What a user pays for is
// the generator's CPU per request — it decides how many machines a test needs — not the
// maximum rate one 2-core machine reaches while the server shares it.
//   - the server is pinned to core 0 (taskset), every generator to core 1, one at a time;
//   - pdv's engine (HDR recording and coordinated-omission correction on, one thread),
//     autocannon (`overallRate`) and wrk (paced by a Lua `delay()`: wrk has no rate option)
//     run 16 connections at 5 k, 10 k and 20 k req/s;
//   - a floor: pdv's pacing over raw sockets without HTTP client or recording (see FLOOR);
//   - CPU = utime + stime from /proc/<pid>/stat over the measured stretch (after start-up
//     and the first second), divided by the requests answered in that stretch.
// It refuses on a loaded machine (load average ≥ the core count) and says so
// (PDV_BENCH_FORCE=1 runs it anyway, to try the benchmark, with its figures marked as not for the record).
// Run: node --import tsx perf/bench/load-cpu.ts [seconds per run, default 5]
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RATES = [5_000, 10_000, 20_000];
const CONNECTIONS = 16;
const SECONDS = Number(process.argv[2] ?? 5);
const CORES = availableParallelism();
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuSeconds(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS;
}

const SERVER = `require('node:http').createServer((q, s) => { q.resume(); s.end('ok'); }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;

// Each node generator measures itself: /proc/self/stat after its first second and at the end.
const PDV = `
import { runPlan } from ${JSON.stringify(join(REPO, 'src/load/threads.ts'))};
import { executorSchema } from ${JSON.stringify(join(REPO, 'src/load/scenario.ts'))};
import { readFileSync } from 'node:fs';
const [url, rate, seconds, ticks] = process.argv.slice(1).map((x, i) => (i ? Number(x) : x));
const cpu = () => { const s = readFileSync('/proc/self/stat', 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) / ticks; };
const spec = executorSchema.parse({ executor: 'constant-arrival-rate', rate, timeUnit: 1000, duration: seconds * 1000, connections: ${CONNECTIONS}, maxInFlight: 20000, requests: [{ name: 'x', path: '/' }] });
// From the first second to the last progress report of the run: engine start-up, teardown and the
// final encoding of the histograms are once per run, not per request.
let a; let b;
const r = await runPlan({ scenarios: [{ name: 's', spec, requests: [{ name: 'x', method: 'GET', origin: url, path: '/', headers: {} }], weights: [1] }], thresholds: [], requestTimeoutMs: 10000, windowMs: 1000, abort: { errorRate: 0.5, windowMs: 5000, minRequests: 20 } },
  { workers: 1, onProgress: (p) => { if (!a && p.elapsedMs >= Math.min(1000, seconds * 250)) a = { cpu: cpu(), n: p.completed }; else if (a) b = { cpu: cpu(), n: p.completed }; } });
const dropped = [...r.recorder.dropped.values()].reduce((x, y) => x + y, 0);
console.log(JSON.stringify({ cpu: b.cpu - a.cpu, requests: b.n - a.n, dropped, lagP99: r.recorder.sendLag.getValueAtPercentile(99) / 1000 }));
`;

const AUTOCANNON = `
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
const [url, rate, seconds, ticks] = process.argv.slice(1).map((x, i) => (i ? Number(x) : x));
const cpu = () => { const s = readFileSync('/proc/self/stat', 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) / ticks; };
let a; let n = 0; let ticksSeen = 0;
const inst = autocannon({ url, connections: ${CONNECTIONS}, overallRate: rate, duration: seconds }, (err, res) => {
  if (err) throw err;
  console.log(JSON.stringify({ cpu: cpu() - a, requests: n, total: res.requests.total }));
});
inst.on('tick', (c) => { ticksSeen++; if (ticksSeen === 1) a = cpu(); else n += c.counter; });
`;

// The floor of an evenly paced open-model generator in Node: pdv's pacing (a 1 ms-precise timer,
// every due arrival sent on each wake) over raw keep-alive sockets, one prebuilt request, no HTTP
// parser (the trivial server's answer ends in its 2-byte body), no recording. What is left is the
// event loop and the kernel: a socket write per request and a wake-up per answer. autocannon's
// `overallRate` is not paced evenly (each connection sends back to back until it has sent its share
// of the second, then waits for the next second), so its answers arrive in bursts that share wake-ups.
const FLOOR = `
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
const [url, rate, seconds, ticks] = process.argv.slice(1).map((x, i) => (i ? Number(x) : x));
const u = new URL(url);
const cpu = () => { const s = readFileSync('/proc/self/stat', 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) / ticks; };
const REQ = Buffer.from('GET / HTTP/1.1\\r\\nhost: ' + u.host + '\\r\\n\\r\\n');
const idle = []; let queued = 0; let done = 0;
for (let i = 0; i < ${CONNECTIONS}; i++) {
  const s = connect(Number(u.port), u.hostname);
  s.setNoDelay(true);
  s.on('connect', () => idle.push(s));
  s.on('data', (d) => { if (d[d.length - 1] !== 0x6b) return; done++; if (queued) { queued--; s.write(REQ); } else idle.push(s); });
}
await new Promise((r) => setTimeout(r, 300));
const t0 = performance.now(); const every = 1000 / rate; const total = rate * seconds; let k = 0; let a;
const tick = () => {
  const now = performance.now() - t0;
  for (; k < total && k * every <= now; k++) { const s = idle.pop(); if (s) s.write(REQ); else queued++; }
  if (!a && now >= 1000) a = { cpu: cpu(), n: done };
  if (k < total) return setTimeout(tick, Math.max(1, Math.ceil(k * every - (performance.now() - t0))));
  setTimeout(() => { console.log(JSON.stringify({ cpu: cpu() - a.cpu, requests: done - a.n })); process.exit(0); }, 200);
};
tick();
`;

interface Figure {
  cpu: number;
  requests: number;
  dropped?: number;
  lagP99?: number;
}

function child(cmd: string, args: string[], cwd = REPO): Promise<{ out: string; pid: number; samples: number[] }> {
  return new Promise((resolve, reject) => {
    const p = spawn('taskset', ['-c', CORES > 1 ? '1' : '0', cmd, ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const samples: number[] = [];
    // wrk cannot measure itself: sample its /proc entry until it exits (the last sample is its total).
    const poll = setInterval(() => {
      try {
        samples.push(cpuSeconds(p.pid as number));
      } catch {
        /* exited */
      }
    }, 50);
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      clearInterval(poll);
      if (code === 0) resolve({ out, pid: p.pid as number, samples });
      else reject(new Error(`${cmd} exited ${code}: ${out}`));
    });
  });
}

async function pdv(url: string, rate: number): Promise<Figure> {
  const { out } = await child(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PDV, url, String(rate), String(SECONDS), String(TICKS)]);
  return JSON.parse(out.trim().split('\n').pop() as string) as Figure;
}

async function ac(url: string, rate: number): Promise<Figure> {
  const { out } = await child(process.execPath, ['--input-type=module', '-e', AUTOCANNON, url, String(rate), String(SECONDS), String(TICKS)]);
  return JSON.parse(out.trim().split('\n').pop() as string) as Figure;
}

async function floor(url: string, rate: number): Promise<Figure> {
  const { out } = await child(process.execPath, ['--input-type=module', '-e', FLOOR, url, String(rate), String(SECONDS), String(TICKS)]);
  return JSON.parse(out.trim().split('\n').pop() as string) as Figure;
}

async function wrk(url: string, rate: number, dir: string): Promise<Figure | undefined> {
  // Each connection waits `delay` ms after an answer: 16 connections × 1000 / delay ≈ the rate.
  const script = join(dir, `pace-${rate}.lua`);
  await writeFile(script, `function delay() return ${Math.max(1, Math.round((CONNECTIONS * 1000) / rate))} end\n`);
  try {
    const { out, samples } = await child('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '-s', script, url]);
    const m = /(\d+) requests in/.exec(out);
    return { cpu: samples.at(-1) ?? 0, requests: Number(m?.[1] ?? 0) };
  } catch {
    return undefined; // not installed: apt-get install wrk
  }
}

const per100k = (f: Figure | undefined): number | undefined => (f && f.requests > 0 ? (f.cpu / f.requests) * 100_000 : undefined);
const fmt = (n: number | undefined, d = 2): string => (n === undefined ? '–' : n.toFixed(d));

async function main(): Promise<void> {
  const start = loadavg()[0] as number;
  console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${CORES} cores), ${SECONDS} s per run, ${CONNECTIONS} connections, CLK_TCK ${TICKS}`);
  if (start >= CORES) {
    console.log(`refused: load average ${start.toFixed(2)} ≥ ${CORES} cores — CPU per request on a loaded machine measures the other work, not the generators`);
    process.exitCode = 2;
    // PDV_BENCH_FORCE=1 runs anyway to try the benchmark itself; its figures are not for the record.
    if (process.env.PDV_BENCH_FORCE !== '1') return;
    console.log('PDV_BENCH_FORCE=1: running anyway — these figures are NOT for the record');
  }
  const server = spawn('taskset', ['-c', '0', process.execPath, '-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((r) => server.stdout.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
  const url = `http://127.0.0.1:${port}/`;
  const dir = await mkdtemp(join(tmpdir(), 'pdv-cpu-'));
  const rows: string[] = [];
  try {
    for (const rate of RATES) {
      const p = await pdv(url, rate);
      const a = await ac(url, rate);
      const w = await wrk(url, rate, dir);
      const f = await floor(url, rate);
      const [cp, ca, cw, cf] = [per100k(p), per100k(a), per100k(w), per100k(f)];
      rows.push(
        `| ${rate / 1000} k | ${fmt(cp)} (lag p99 ${fmt(p.lagP99, 1)} ms, ${p.dropped ?? 0} dropped) | ${fmt(ca)} | ${fmt(cw)} | ${fmt(cf)} | ${fmt(cp && ca ? cp / ca : undefined)}× | ${fmt(cp && cw ? cp / cw : undefined)}× | ${fmt(cp && cf ? cp / cf : undefined)}× |`,
      );
      console.log(`${rate} req/s: pdv ${p.requests} req ${p.cpu.toFixed(2)} s; autocannon ${a.requests} req ${a.cpu.toFixed(2)} s; wrk ${w ? `${w.requests} req ${w.cpu.toFixed(2)} s` : 'not installed'}; paced raw sockets ${f.requests} req ${f.cpu.toFixed(2)} s`);
    }
  } finally {
    server.kill('SIGKILL');
  }
  const end = loadavg()[0] as number;
  console.log('\nCPU seconds per 100 000 requests (user + system, /proc), generator on its own core:');
  console.log('| rate | pdv engine | autocannon | wrk | paced raw sockets (floor) | pdv / autocannon | pdv / wrk | pdv / floor |\n|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  // The benchmark's own two busy processes add up to 2 to the load average while it runs.
  if (end >= CORES + 2) console.log(`the machine got loaded during the run (load average ${end.toFixed(2)}): treat the ratios as unreliable`);
}

await main();
