// Wall time of the UAT stage on the demo against the same specs run by
// `npx playwright test` alone (same machine, same demo, same retries and
// workers, runs alternated), and the smoke stage's time to its failed
// critical check on a demo whose health is down. Figures, not asserts.
// Usage: npx tsx perf/bench/uat-harness.ts [runs=3]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDemo, type DemoHandle } from '../../demo/launch.ts';
import { uatStage } from '../../src/stages/uat/index.ts';
import { smokeStage } from '../../src/stages/smoke/index.ts';
import { playwrightCli } from '../../src/playwright/test-process.ts';
import { makeStageContext } from '../../e2e/helpers/stage-context.ts';

const RUNS = Number(process.argv[2] ?? 3);
const REPO = resolve(import.meta.dirname, '../..');
const SECRETS = { DEMO_ADMIN_PASSWORD: 'bench-admin-pw-1', DEMO_EDITOR_PASSWORD: 'bench-editor-pw-2', DEMO_VIEWER_PASSWORD: 'bench-viewer-pw-3' };
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const target = (d: DemoHandle) => ({ environment: 'demo', baseUrl: d.baseUrl, apiUrl: d.apiUrl, expectedVersion: '1.4.0' });

async function plainPlaywright(d: DemoHandle): Promise<number> {
  const out = await mkdtemp(join(tmpdir(), 'pdv-bench-pw-'));
  const t0 = performance.now();
  let summary = '';
  const code = await new Promise<number | null>((res) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...SECRETS, PDV_BASE_URL: d.baseUrl, API_BASE_URL: d.apiUrl, PDV_STATE_DIR: join(out, 'state'), CI: '1' };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, [playwrightCli(), 'test', '--project', 'uat', '--retries', '1', '--workers', '2', '--reporter', 'line', '--output', join(out, 'results')], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', (d: Buffer) => (summary = (summary + d.toString()).slice(-400)));
    child.on('close', res);
  });
  const ms = performance.now() - t0;
  await rm(out, { recursive: true, force: true });
  if (code !== 0 || /flaky|failed/.test(summary)) throw new Error(`npx playwright test did not pass cleanly (exit ${code}): ${summary}`);
  return ms;
}

async function stage(d: DemoHandle): Promise<number> {
  const ctx = await makeStageContext({ target: target(d), secrets: SECRETS });
  const t0 = performance.now();
  await uatStage.run(ctx);
  const ms = performance.now() - t0;
  await rm(ctx.runDir, { recursive: true, force: true });
  const bad = ctx.checks.filter((c) => c.status !== 'passed');
  if (ctx.checks.length !== 5 || bad.length) throw new Error(`uat stage did not pass: ${JSON.stringify(bad)}`);
  return ms;
}

const demo = await startDemo({ env: SECRETS, readyTimeoutMs: 180_000 });
try {
  const pw: number[] = [];
  const st: number[] = [];
  await stage(demo); // warm-up (first Chromium start, file cache)
  for (let i = 0; i < RUNS; i++) {
    pw.push(await plainPlaywright(demo));
    st.push(await stage(demo));
  }
  const a = median(pw);
  const b = median(st);
  process.stdout.write(`uat, ${RUNS} alternated runs, 5 flows, retries 1, workers 2\n`);
  process.stdout.write(`  npx playwright test --project uat  median ${(a / 1000).toFixed(1)} s  runs ${pw.map((x) => (x / 1000).toFixed(1)).join(' ')}\n`);
  process.stdout.write(`  uat stage (bridge, evidence, allure) median ${(b / 1000).toFixed(1)} s  runs ${st.map((x) => (x / 1000).toFixed(1)).join(' ')}\n`);
  process.stdout.write(`  harness overhead ${((b - a) / 1000).toFixed(1)} s (ratio ${(b / a).toFixed(2)})\n`);
} finally {
  await demo.stop();
}

const down = await startDemo({ faults: ['health-down'], env: SECRETS, readyTimeoutMs: 180_000 });
try {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const ctx = await makeStageContext({ target: target(down), secrets: SECRETS });
    const t0 = performance.now();
    await smokeStage.run(ctx);
    times.push(performance.now() - t0);
    if (ctx.checks[0]?.status !== 'failed') throw new Error('health-down did not fail smoke.readiness');
  }
  process.stdout.write(`smoke stage on health-down → failed critical smoke.readiness: median ${median(times).toFixed(0)} ms  runs ${times.map((x) => x.toFixed(0)).join(' ')}\n`);
} finally {
  await down.stop();
}
