import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDemo, type DemoHandle } from '../demo/launch.ts';
import { PrometheusSource } from '../src/sources/prometheus.ts';
import { runComparison } from '../src/stages/metrics/comparison.ts';
import { comparisonConfigSchema } from '../src/stages/metrics/config.ts';
import { readVerdict, runCli, runDirFrom } from './helpers/cli.ts';
import { skipWithoutPrometheus, startPrometheus, type RunningPrometheus } from './helpers/prometheus.ts';

// The metrics stage against the real demo scraped by a real Prometheus
// (Debian's /usr/bin/prometheus), through the real CLI.

const teardown: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const t of teardown.splice(0).reverse()) await t().catch(() => undefined);
});

async function stand(faults: string[], env: Record<string, string> = {}): Promise<{ demo: DemoHandle; prom: RunningPrometheus; dir: string }> {
  const demo = await startDemo({ faults, env });
  teardown.push(() => demo.stop());
  const prom = await startPrometheus({ target: `${demo.baseUrl}/metrics` });
  teardown.push(() => prom.stop());
  const dir = await mkdtemp(join(tmpdir(), 'pdv-metrics-e2e-'));
  teardown.push(() => rm(dir, { recursive: true, force: true }));
  return { demo, prom, dir };
}

const CONFIG = (reports: string): string => `export default {
  environments: { demo: { baseUrl: 'http://127.0.0.1:1' } },
  stages: {
    metrics: {
      sources: { prom: { type: 'prometheus' } },
      alarms: [{ names: ['DemoAlarmCondition'] }],
      rules: [
        { name: 'requests-flowing', query: 'sum(rate(http_requests_total[1m]))', successCondition: 'result[0] >= 0', count: 2, interval: '500ms' },
        { name: 'alarm-gauge', query: 'demo_alarm_condition', failureCondition: 'value > 0', dryRun: true },
      ],
      comparisons: [{ name: 'alarm-level', query: 'sum(demo_alarm_condition)', window: '2s', step: '500ms', minSamples: 2 }],
    },
  },
  reportsDir: ${JSON.stringify(reports)},
};
`;

async function verifyMetrics(s: { demo: DemoHandle; prom: RunningPrometheus; dir: string }): Promise<{ code: number | null; runDir: string; out: string }> {
  await writeFile(join(s.dir, 'pdv.config.ts'), CONFIG(join(s.dir, 'reports')));
  const res = await runCli(['run', 'metrics', '--config', join(s.dir, 'pdv.config.ts'), '--env', 'demo', '--base-url', s.demo.baseUrl], {
    env: { PDV_PROMETHEUS_URL: s.prom.url, PDV_DEPLOY_TIME: new Date(Date.now() - 2500).toISOString() },
  });
  return { code: res.code, runDir: runDirFrom(res), out: res.stdout + res.stderr };
}

describe.skipIf(skipWithoutPrometheus())('metrics stage with a real Prometheus', () => {
  it('healthy demo: stand, with measurements, both comparison windows and the alarm state in the report', async () => {
    const s = await stand([]);
    await s.prom.waitForScrape();
    // The before window is [deploy − 2 s, deploy] with deploy = now − 2.5 s at the call: data must
    // exist from 4.5 s before the call, so wait longer than that after the first scrape.
    await new Promise((r) => setTimeout(r, 5500));
    const { code, runDir, out } = await verifyMetrics(s);
    expect(code, out).toBe(0);
    const v = readVerdict(runDir);
    expect(v.verdict).toBe('stand');
    const byId = Object.fromEntries(v.checks.map((c) => [c.id, c.status]));
    expect(byId).toMatchObject({ 'metrics.source.prom': 'passed', 'metrics.alarm.demoalarmcondition': 'passed', 'metrics.rule.requests-flowing': 'passed', 'metrics.compare.alarm-level': 'passed' });
    const extra = v.extras.metrics as { rules: Array<{ measurements: unknown[] }>; comparisons: Array<{ before: unknown[]; after: unknown[] }> };
    expect(extra.rules[0]!.measurements).toHaveLength(2);
    expect(extra.comparisons[0]!.before.length).toBeGreaterThanOrEqual(2);
    expect(extra.comparisons[0]!.after.length).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(runDir, 'metrics', 'samples.json'))).toBe(true);
  });

  it('alarm-firing: the Prometheus alert fires → rollback', async () => {
    const s = await stand(['alarm-firing']);
    await s.prom.waitForScrape();
    const { code, runDir, out } = await verifyMetrics(s);
    expect(code, out).toBe(1);
    const v = readVerdict(runDir);
    expect(v.verdict).toBe('rollback');
    expect(v.reasons[0]).toMatchObject({ checkId: 'metrics.alarm.demoalarmcondition', severity: 'critical', status: 'failed' });
    expect(v.reasons[0]!.message).toMatch(/firing/);
    // The dry-run rule saw the alarm too, but only warns.
    expect(v.checks.find((c) => c.id === 'metrics.rule.alarm-gauge')).toMatchObject({ status: 'failed', dryRun: true });
  });

  it('metrics-down: Prometheus cannot scrape the target → hold, never stand', async () => {
    const s = await stand(['metrics-down']);
    await s.prom.waitForScrape({ expectUp: false });
    const { code, runDir, out } = await verifyMetrics(s);
    expect(code, out).toBe(2);
    const v = readVerdict(runDir);
    expect(v.verdict).toBe('hold');
    const source = v.checks.find((c) => c.id === 'metrics.source.prom');
    expect(source?.status).toBe('errored');
    expect(source?.message).toMatch(/cannot scrape/);
    // An empty result is inconclusive, not a pass.
    expect(v.checks.find((c) => c.id === 'metrics.rule.alarm-gauge')?.status).toBe('errored');
  });

  it('Prometheus down altogether → every check errored → hold', async () => {
    const s = await stand([]);
    await s.prom.stop();
    const { code, runDir } = await verifyMetrics(s);
    expect(code).toBe(2);
    const v = readVerdict(runDir);
    expect(v.checks.every((c) => c.status === 'errored' || c.dryRun)).toBe(true);
  });

  it('before/after comparison flags a leak that starts at the deploy (Mann–Whitney U + effect floor)', async () => {
    const s = await stand(['memory-leak'], { DEMO_LEAK_BYTES_PER_SEC: String(32 * 1024 * 1024) });
    await s.prom.waitForScrape();
    await new Promise((r) => setTimeout(r, 6000));
    const source = new PrometheusSource({ url: s.prom.url });
    const cmp = comparisonConfigSchema.parse({ name: 'rss', query: 'process_resident_memory_bytes', window: '3s', step: '250ms', minSamples: 4, minEffect: { relative: 0.01 } });
    const now = Date.now();
    const out = await runComparison(cmp, source, { deployTime: now - 3000, now });
    expect(out.status, out.message).toBe('failed');
    expect(out.before.length).toBeGreaterThan(4);
    expect(out.medianAfter!).toBeGreaterThan(out.medianBefore!);
    expect(out.message).toMatch(/worse after the deploy/);
  });
});
