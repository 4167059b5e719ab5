// Wall time from start to verdict (median of several runs of the real CLI):
// - process start: `pdv --help`, from the compiled build (dist/, what an installed
//   package runs) and from the TypeScript sources through tsx (what bin/pdv.js ran
//   before issue 16, and still runs in a checkout whose sources are newer than dist/).
// - health-down: `pdv verify` against an already running demo with the fault
//   (what a pipeline sees right after a deploy). Goals: start ≤ 0.2 s, health-down ≤ 0.4 s (compiled).
// - healthy: `pdv demo` end to end (bring-up of the demo, HTTPS, backup and
//   Prometheus included) and, from its verdict.json, the run's own start → verdict (only with --demo).
// Usage: npm run build && npx tsx perf/bench/verdict-time.ts [runs=5] [--demo]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemo } from '../../demo/launch.ts';

const bin = fileURLToPath(new URL('../../bin/pdv.js', import.meta.url));
const demoConfig = fileURLToPath(new URL('../../demo/pdv.config.ts', import.meta.url));
const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
const withDemo = args.includes('--demo');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const passwords = { DEMO_ADMIN_PASSWORD: 'bench-admin-pw', DEMO_EDITOR_PASSWORD: 'bench-editor-pw', DEMO_VIEWER_PASSWORD: 'bench-viewer-pw' };

type Mode = 'dist' | 'tsx';

function run(args: string[], mode: Mode = 'dist'): { ms: number; code: number | null; runMs: number } {
  const out = mkdtempSync(join(tmpdir(), 'pdv-bench-'));
  const t0 = performance.now();
  // PDV_SOURCES=1: bin/pdv.js runs the TypeScript sources through tsx (the pre-build way).
  const env = { ...process.env, ...passwords, PDV_SOURCES: mode === 'tsx' ? '1' : '0' };
  const r = spawnSync(process.execPath, [bin, ...args, '--out', out], { stdio: 'ignore', env });
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

const load = () => readFileSync('/proc/loadavg', 'utf8').trim();
console.log(`verdict wall time, median of ${runs} runs (loadavg ${load()})`);
const times = (n: number, f: () => ReturnType<typeof run>) => Array.from({ length: n }, f);
const startTsx = report('pdv --help, tsx (sources)', times(runs, () => run(['--help'], 'tsx')));
const startDist = report('pdv --help, compiled (dist)', times(runs, () => run(['--help'])));
const demo = await startDemo({ faults: ['health-down'], env: passwords });
let downTsx: number;
let downDist: number;
const verifyDown = ['verify', '--config', demoConfig, '--env', 'demo', '--base-url', demo.baseUrl];
try {
  downTsx = report('health-down verify, tsx (sources)', times(runs, () => run(verifyDown, 'tsx')));
  downDist = report('health-down verify, compiled (dist)', times(runs, () => run(verifyDown)));
} finally {
  await demo.stop();
}
console.log(`process start: compiled / tsx = ${(startDist / startTsx).toFixed(2)}; health-down: compiled / tsx = ${(downDist / downTsx).toFixed(2)}`);
console.log(`goal: process start ≤ 0.20 s → ${startDist <= 200 ? 'met' : 'NOT met'}; health-down ≤ 0.40 s → ${downDist <= 400 ? 'met' : 'NOT met'} (loadavg ${load()})`);
if (withDemo) {
  const healthy = report('healthy: pdv demo (bring-up included)', times(runs, () => run(['demo'])));
  console.log(`health-down / healthy demo: ${(downDist / healthy).toFixed(3)}`);
}
