import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDemo } from '../demo/launch.ts';
import type { VerdictReport } from '../src/core/types.ts';
import type { SoakState, TickRecord } from '../src/jobs/soak/index.ts';
import { PDV_BIN, REPO, runCli } from './helpers/cli.ts';
import { skipWithoutPrometheus, startPrometheus } from './helpers/prometheus.ts';

// Soaks in seconds against the real demo, through the real CLI. Allowed
// growth per hour is scaled to the test's time scale (a healthy process's
// first seconds are not flat); the faults are set to grow far beyond it.

const teardown: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const t of teardown.splice(0).reverse()) await t().catch(() => undefined);
});

interface Setup {
  dir: string;
  state: string;
  config: string;
  baseUrl: string;
  env: Record<string, string>;
}

async function setup(faults: string[], opts: { env?: Record<string, string>; prometheus?: boolean } = {}): Promise<Setup> {
  const demo = await startDemo({ faults, env: opts.env ?? {} });
  teardown.push(() => demo.stop());
  const dir = await mkdtemp(join(tmpdir(), 'pdv-soak-e2e-'));
  teardown.push(() => rm(dir, { recursive: true, force: true }));
  const env: Record<string, string> = {};
  if (opts.prometheus) {
    const prom = await startPrometheus({ target: `${demo.baseUrl}/metrics` });
    teardown.push(() => prom.stop());
    await prom.waitForScrape();
    env.PDV_PROMETHEUS_URL = prom.url;
  }
  const metrics = {
    ...(opts.prometheus ? { sources: { prom: { type: 'prometheus' } }, alarms: [{ names: ['DemoAlarmCondition'] }] } : {}),
    soak: {
      probes: [
        { name: 'health', path: '/health' },
        { name: 'flags', path: '/api/flags' },
      ],
      warmup: '2s',
      minTicks: 5,
      maxGrowthPerHour: { memory: 4 * 1024 ** 3, latency: 7200, errorRate: 36, openConnections: 1e6 },
    },
  };
  const config = join(dir, 'pdv.config.ts');
  await writeFile(config, `export default ${JSON.stringify({ environments: { demo: { baseUrl: demo.baseUrl, allowedHosts: ['127.0.0.1'] } }, stages: { metrics }, reportsDir: join(dir, 'reports') }, null, 2)};\n`);
  return { dir, state: join(dir, 'soak'), config, baseUrl: demo.baseUrl, env };
}

async function start(s: Setup, duration: string, interval: string): Promise<void> {
  const r = await runCli(['soak', 'start', '--config', s.config, '--env', 'demo', '--duration', duration, '--interval', interval, '--state', s.state], { env: s.env });
  expect(r.code, r.stderr).toBe(0);
}

const verdictOf = (s: Setup): VerdictReport => JSON.parse(readFileSync(join(s.state, 'verdict.json'), 'utf8')) as VerdictReport;
const stateOf = (s: Setup): SoakState => JSON.parse(readFileSync(join(s.state, 'state.json'), 'utf8')) as SoakState;
const ticksOf = (s: Setup): TickRecord[] =>
  readFileSync(join(s.state, 'ticks.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as TickRecord];
      } catch {
        return [];
      }
    });

describe('pdv soak against the demo', () => {
  it('(no fault) a soak of many ticks judges stand', async () => {
    const s = await setup([]);
    await start(s, '15s', '200ms');
    const r = await runCli(['soak', 'run', '--state', s.state], { env: s.env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const v = verdictOf(s);
    expect(v.verdict).toBe('stand');
    expect(stateOf(s).ended?.reason).toBe('duration');
    expect(ticksOf(s).length).toBeGreaterThanOrEqual(10);
    const ids = v.checks.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['soak.trend.memory', 'soak.trend.latency', 'soak.drift.memory', 'soak.probes']));
    const extra = v.extras.soak as { series: Array<{ name: string; points: unknown[] }>; final: boolean };
    expect(extra.final).toBe(true);
    expect(extra.series.find((x) => x.name === 'memory')!.points.length).toBeGreaterThan(10);
    const status = await runCli(['soak', 'status', '--state', s.state, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ progress: 1, state: { ended: { reason: 'duration' } } });
  });

  it('memory-leak: judge rolls back with the slope and its interval in the reason', async () => {
    const s = await setup(['memory-leak'], { env: { DEMO_LEAK_BYTES_PER_SEC: String(32 * 1024 * 1024) } });
    await start(s, '12s', '250ms');
    const r = await runCli(['soak', 'run', '--state', s.state], { env: s.env });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const v = verdictOf(s);
    expect(v.verdict).toBe('rollback');
    const reason = v.reasons.find((x) => x.checkId === 'soak.trend.memory');
    expect(reason?.message).toMatch(/memory leak: memory grows [\d.]+ GiB\/h \(95% CI [\d.]+ GiB\/h … [\d.]+ GiB\/h, n=\d+\); allowed 4\.00 GiB\/h/);
  });

  it('latency-drift: rollback at judge', async () => {
    const s = await setup(['latency-drift'], { env: { DEMO_DRIFT_MS_PER_SEC: '100' } });
    await start(s, '12s', '250ms');
    const r = await runCli(['soak', 'run', '--state', s.state], { env: s.env });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const j = await runCli(['soak', 'judge', '--state', s.state, '--json']);
    expect(j.code).toBe(1);
    const out = JSON.parse(j.stdout) as VerdictReport & { final: boolean };
    expect(out.final).toBe(true);
    expect(out.reasons.map((x) => x.checkId)).toContain('soak.trend.latency');
    expect(out.reasons.find((x) => x.checkId === 'soak.trend.latency')?.message).toMatch(/drift: latency grows .* ms\/h \(95% CI/);
  });

  it('metrics-down: the process figures cannot be read → hold', async () => {
    const s = await setup(['metrics-down']);
    await start(s, '5s', '250ms');
    const r = await runCli(['soak', 'run', '--state', s.state], { env: s.env });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const v = verdictOf(s);
    expect(v.verdict).toBe('hold');
    const mem = v.checks.find((c) => c.id === 'soak.trend.memory');
    expect(mem?.status).toBe('errored');
    expect(mem?.message).toMatch(/503/);
  });

  it.skipIf(skipWithoutPrometheus())('alarm-firing: a critical alarm ends the soak early with rollback', async () => {
    const s = await setup(['alarm-firing'], { prometheus: true });
    await start(s, '60s', '250ms');
    const began = Date.now();
    const r = await runCli(['soak', 'run', '--state', s.state], { env: s.env });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(Date.now() - began).toBeLessThan(55_000); // ended early, not at the 60 s duration
    expect(stateOf(s).ended?.reason).toBe('critical-alarm');
    const v = verdictOf(s);
    expect(v.reasons[0]).toMatchObject({ checkId: 'soak.alarm.demoalarmcondition', severity: 'critical', status: 'failed' });
  });

  it('kill -9 during run loses at most the tick in progress; run resumes and finishes', async () => {
    const s = await setup([]);
    await start(s, '40s', '300ms');
    const child = spawn(process.execPath, [PDV_BIN, 'soak', 'run', '--state', s.state], { cwd: REPO, stdio: 'ignore', env: { ...process.env, ...s.env } });
    teardown.push(async () => void child.kill('SIGKILL'));
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, sig) => r(sig)));
    for (let i = 0; i < 300 && stateOf(s).ticks < 5; i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const before = stateOf(s).ticks;
    expect(before).toBeGreaterThanOrEqual(5);
    const lines = ticksOf(s);
    // The journal holds every tick state.json counted, plus at most the one in progress.
    expect(lines.length).toBeGreaterThanOrEqual(before);
    expect(lines.length).toBeLessThanOrEqual(before + 1);
    // A torn line, as if the kill had landed mid-write.
    appendFileSync(join(s.state, 'ticks.jsonl'), '{"seq":99,"at":"2026-');
    const r = await runCli(['soak', 'run', '--state', s.state], { env: s.env });
    expect(r.stdout).toMatch(/tick \d+/); // resumed: more ticks were taken
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = stateOf(s);
    expect(after.ended?.reason).toBe('duration');
    expect(after.ticks).toBeGreaterThan(before);
    const all = ticksOf(s);
    expect(all.length).toBeGreaterThanOrEqual(after.ticks);
    expect(all.at(-1)!.seq).toBe(after.ticks);
    const extra = verdictOf(s).extras.soak as { skippedLines: number };
    expect(extra.skippedLines).toBe(1);
  });
});
