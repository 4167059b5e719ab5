// Wall time from start to verdict for the healthy demo and for `health-down`
// (median of several runs of the real CLI). Goal: health-down < 5 s on 2 cores.
// Usage: npx tsx perf/bench/verdict-time.ts [runs=5]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/pdv.js', import.meta.url));
const runs = Number(process.argv[2] ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function time(args: string[]): { ms: number; code: number | null } {
  const out = mkdtempSync(join(tmpdir(), 'pdv-bench-'));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args, '--out', out], { stdio: 'ignore' });
  const ms = performance.now() - t0;
  rmSync(out, { recursive: true, force: true });
  return { ms, code: r.status };
}

const cases: Array<[string, string[]]> = [
  ['healthy demo (pdv demo)', ['demo']],
  ['health-down (pdv demo --fault health-down)', ['demo', '--fault', 'health-down']],
  ['startup only (pdv --help)', ['--help']],
];
console.log(`verdict wall time, median of ${runs} runs`);
const results: Record<string, number> = {};
for (const [name, args] of cases) {
  const samples: number[] = [];
  let code: number | null = null;
  for (let i = 0; i < runs; i++) ({ ms: samples[i]!, code } = time(args));
  results[name] = median(samples);
  console.log(`${name.padEnd(46)} median ${(median(samples) / 1000).toFixed(2)} s  (min ${(Math.min(...samples) / 1000).toFixed(2)}, max ${(Math.max(...samples) / 1000).toFixed(2)}, exit ${code})`);
}
const down = results['health-down (pdv demo --fault health-down)'] ?? NaN;
const healthy = results['healthy demo (pdv demo)'] ?? NaN;
console.log(`health-down / healthy: ${(down / healthy).toFixed(2)}  — goal: health-down < 5.00 s → ${down < 5000 ? 'met' : 'NOT met'}`);
