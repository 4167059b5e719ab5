// Memory: peak RSS after recording 5 million requests into the engine's
// recorder (corrected + uncorrected HDR histograms, per-second windows,
// send lag). Fixed-size histograms: memory does not grow with the count.
// Run: node --import tsx perf/bench/load-memory.ts
import { Recorder } from '../../src/load/recorder.ts';

const N = 5_000_000;
const rssMb = (): number => process.resourceUsage().maxRSS / 1024;
const before = rssMb();
// The stage widens windows so a run has at most 600 (1 h → 6 s windows).
const rec = new Recorder(6000);
const names = ['list projects', 'get project', 'me', 'create project', 'upload script'];
const cells = names.flatMap((n) => [rec.cell('api', n, 'GET', true), rec.cell('api', n, 'GET', false)]);
let x = 12345;
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  x = (x * 1103515245 + 12345) % 2147483648;
  const u = x / 2147483648;
  const latencyUs = 800 + 400_000 * u ** 12 + 5000 * u;
  const cell = cells[i % cells.length] as (typeof cells)[number];
  // 5 M requests over one hour at ~1389 req/s.
  rec.record(cell, cell.expected ? 200 : 500, latencyUs, latencyUs * 0.8, (i / N) * 3600e6);
  rec.sendLag.recordValue(1 + (i % 500));
}
const ms = performance.now() - t0;
const snapshotBytes = JSON.stringify(rec.snapshot()).length;
console.log(`recorded ${N.toLocaleString('en')} requests in ${(ms / 1000).toFixed(1)} s (${((N / ms) * 1000 / 1e6).toFixed(2)} M/s)`);
console.log(`peak RSS ${rssMb().toFixed(0)} MB (at start ${before.toFixed(0)} MB; goal < 150 MB); windows ${rec.windows.size}; raw histogram file ${(snapshotBytes / 1024).toFixed(0)} KiB`);
