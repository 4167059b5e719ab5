// Wall time from start to verdict (median of several runs of the real CLI):
// - health-down: `pdv verify` against an already running demo with the fault
//   (what a pipeline sees right after a deploy). Goal: < 5 s on 2 cores.
// - healthy: `pdv demo` end to end (bring-up of the demo, HTTPS, backup and
//   Prometheus included) and, from its verdict.json, the run's own start → verdict.
// Usage: npx tsx perf/bench/verdict-time.ts [runs=5]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemo } from '../../demo/launch.ts';

const bin = fileURLToPath(new URL('../../bin/pdv.js', import.meta.url));
const demoConfig = fileURLToPath(new URL('../../demo/pdv.config.ts', import.meta.url));
const runs = Number(process.argv[2] ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const passwords = { DEMO_ADMIN_PASSWORD: 'bench-admin-pw', DEMO_EDITOR_PASSWORD: 'bench-editor-pw', DEMO_VIEWER_PASSWORD: 'bench-viewer-pw' };

function run(args: string[]): { ms: number; code: number | null; runMs: number } {
  const out = mkdtempSync(join(tmpdir(), 'pdv-bench-'));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args, '--out', out], { stdio: 'ignore', env: { ...process.env, ...passwords } });
  const ms = performance.now() - t0;
  let runMs = NaN;
  try {
    runMs = (JSON.parse(readFileSync(join(out, 'verdict.json'), 'utf8')) as { durationMs: number }).durationMs;
  } catch {
    // no verdict: reported as NaN
  }
  rmSync(out, { recursive: true, force: true });
  return { ms, code: r.status, runMs };
}

function report(name: string, samples: Array<ReturnType<typeof run>>): number {
  const walls = samples.map((x) => x.ms);
  console.log(
    `${name.padEnd(44)} median ${s(median(walls))} (min ${s(Math.min(...walls))}, max ${s(Math.max(...walls))}); run start → verdict ${s(median(samples.map((x) => x.runMs)))}; exit ${samples[0]?.code}`,
  );
  return median(walls);
}

console.log(`verdict wall time, median of ${runs} runs`);
const startup = report('pdv --help (process start only)', Array.from({ length: runs }, () => run(['--help'])));
const demo = await startDemo({ faults: ['health-down'], env: passwords });
let down: number;
try {
  down = report('health-down: pdv verify on a running demo', Array.from({ length: runs }, () => run(['verify', '--config', demoConfig, '--env', 'demo', '--base-url', demo.baseUrl])));
} finally {
  await demo.stop();
}
const healthy = report('healthy: pdv demo (bring-up included)', Array.from({ length: runs }, () => run(['demo'])));
console.log(`health-down / healthy demo: ${(down / healthy).toFixed(3)}; process start is ${((startup / down) * 100).toFixed(0)} % of health-down`);
console.log(`goal: health-down < 5.00 s → ${down < 5000 ? 'met' : 'NOT met'}`);
