// Soak cost as the journal grows: one more tick (its own overhead: state and
// plan read, durable append, atomic state write) and a full judge, at several
// journal sizes up to 5,760 ticks (48 h at 30 s) and beyond. Each size runs
// in a fresh child so peak memory (maxRSS) is that size's own.
//   npx tsx perf/bench/soak-ticks.ts [sizes…]
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { soakConfigSchema } from '../../src/stages/metrics/config.ts';
import { judgeSoak, tickSoak, type SoakPlan, type SoakState } from '../../src/jobs/soak/index.ts';

const HOUR = 3_600_000;

function seed(dir: string, n: number, baseUrl: string): void {
  const intervalMs = 30_000;
  const start = Date.now() - n * intervalMs - 60_000;
  const soak = { ...soakConfigSchema.parse({ probes: [{ name: 'health', path: '/health' }] }), interval: intervalMs, duration: 1000 * HOUR };
  const plan: SoakPlan = {
    version: 1,
    id: `bench-${n}`,
    target: { environment: 'bench', baseUrl },
    soak,
    sources: {},
    alarms: [],
    policy: { majorBudget: 0, flakyAsFailed: false, overrides: [] },
    quarantine: [],
    processMetricsUrl: `${baseUrl}/metrics`,
  };
  const state: SoakState = { version: 1, id: plan.id, createdAt: new Date(start).toISOString(), startedAt: new Date(start).toISOString(), durationMs: soak.duration, intervalMs, endsAt: new Date(start + soak.duration).toISOString(), ticks: n, lastTickAt: new Date(start + (n - 1) * intervalMs).toISOString() };
  writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
  writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const noise = Math.sin(i * 12.9898) * 43758.5453;
    const r = noise - Math.floor(noise);
    lines.push(
      JSON.stringify({
        seq: i + 1,
        at: new Date(start + i * intervalMs).toISOString(),
        durationMs: 12,
        probes: [{ name: 'health', ok: true, status: 200, ms: 4 + r }],
        values: { memory: 80e6 + r * 2e6, openConnections: 3, latency: 4 + r, errorRate: 0 },
        errors: {},
        alarms: [],
      }),
    );
  }
  writeFileSync(join(dir, 'ticks.jsonl'), lines.join('\n') + '\n');
  // Flush the seed now, or the first tick's fsync pays for writing it.
  const fd = openSync(join(dir, 'ticks.jsonl'), 'r+');
  fsyncSync(fd);
  closeSync(fd);
}

async function child(n: number): Promise<void> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') res.end('process_resident_memory_bytes 81000000\ndemo_open_connections 3\n');
    else res.end('{"status":"ok"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const baseUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const dir = mkdtempSync(join(tmpdir(), 'pdv-soak-bench-'));
  try {
    seed(dir, n, baseUrl);
    await tickSoak(dir, { env: process.env }); // warm the code paths
    const runs: Array<{ total: number; sample: number }> = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const out = await tickSoak(dir, { env: process.env });
      runs.push({ total: performance.now() - t0, sample: out.tick?.durationMs ?? 0 });
    }
    const tickTotal = runs.map((r) => r.total).sort((a, b) => a - b)[2]!;
    const overhead = runs.map((r) => r.total - r.sample).sort((a, b) => a - b)[2]!;
    const overheadMin = Math.min(...runs.map((r) => r.total - r.sample));
    const rssBefore = process.memoryUsage().rss;
    const judgeRuns: number[] = [];
    let j: Awaited<ReturnType<typeof judgeSoak>> | undefined;
    for (let i = 0; i < 3; i++) {
      const t1 = performance.now();
      j = await judgeSoak(dir, { write: false });
      judgeRuns.push(performance.now() - t1);
    }
    const judgeMs = judgeRuns.sort((a, b) => a - b)[1]!; // median of 3: the machine is shared
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    console.log(JSON.stringify({ ticks: n, tickMs: tickTotal, tickOverheadMs: overhead, tickOverheadMinMs: overheadMin, judgeMs, judgeVerdict: j!.report.verdict, rssBeforeJudgeMb: rssBefore / 1024 / 1024, peakRssMb: maxRssMb }));
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  await child(Number(process.argv[3]));
} else {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const list = sizes.length ? sizes : [360, 1440, 5760, 23040];
  const self = fileURLToPath(import.meta.url);
  console.log('ticks   tick total  tick overhead (min)   judge      peak RSS   verdict');
  const rows: Array<{ ticks: number; tickOverheadMs: number; judgeMs: number }> = [];
  for (const n of list) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', String(n)], { encoding: 'utf8' });
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    let row: { ticks: number; tickMs: number; tickOverheadMs: number; tickOverheadMinMs: number; judgeMs: number; peakRssMb: number; judgeVerdict: string };
    try {
      row = JSON.parse(line) as typeof row;
    } catch {
      console.log(`${n}: failed\n${r.stderr}`);
      continue;
    }
    rows.push(row);
    console.log(`${String(row.ticks).padEnd(7)} ${row.tickMs.toFixed(1).padStart(8)} ms ${row.tickOverheadMs.toFixed(1).padStart(10)} ms (${row.tickOverheadMinMs.toFixed(1)}) ${row.judgeMs.toFixed(0).padStart(7)} ms ${row.peakRssMb.toFixed(0).padStart(7)} MB   ${row.judgeVerdict}`);
  }
  const first = rows[0];
  const last = rows.at(-1);
  if (first && last && first !== last) {
    console.log(`\ntick overhead ratio ${last.ticks}/${first.ticks} ticks: ${(last.tickOverheadMs / first.tickOverheadMs).toFixed(2)}× (goal: flat, < 50 ms)`);
    const at5760 = rows.find((r) => r.ticks === 5760);
    if (at5760) console.log(`judge at 5,760 ticks: ${at5760.judgeMs.toFixed(0)} ms (goal < 1000 ms)`);
  }
}
