import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { RunSettings } from '../../target/settings.ts';
import type { VerdictReport } from '../../core/types.ts';
import { compareWithBaseline, historyDir, latestBaseline, recordLoadBaseline } from './baseline.ts';
import { loadConfigSchema } from './config.ts';
import type { LoadSummary } from './results.ts';

const cfg = loadConfigSchema.parse({}).baseline;

function summary(p95s: number[], extra: Partial<LoadSummary> = {}): LoadSummary {
  const s = { count: 10, min: 1, max: 1, avg: 1, p50: 1, p90: 1, p95: 1, p99: 1, p999: 1 };
  return {
    scenario: 'staging-api', file: 'f', workers: 1, durationMs: 1, planned: 1, sent: 1, completed: 1, dropped: 0, throughput: 1, failed: 0, errorRate: 0,
    latency: { corrected: s, uncorrected: s }, requests: [], statusCodes: {}, histogram: [], sendLag: { p50: 0, p99: 0, max: 0 }, valid: true, thresholds: [],
    // first window is warm-up: it is dropped from the samples
    series: [999, ...p95s].map((p95, i) => ({ t: i, count: 40, failed: 0, p50: p95 / 2, p95, p99: p95 * 1.5 })),
    ...extra,
  };
}
// Deterministic noise around a level.
const around = (level: number, n: number, spread: number) => Array.from({ length: n }, (_, i) => level + spread * Math.sin(i * 2.3));

describe('load baselines', () => {
  const base = { version: 1 as const, runId: 'r1', recordedAt: '2026-01-01T00:00:00Z', environment: 'staging', scenario: 'staging-api', windowsP95: around(40, 20, 4), latency: summary([]).latency, throughput: 40 };

  it('no history → skipped with that reason', () => {
    const { check } = compareWithBaseline(summary(around(40, 20, 4)), undefined, cfg);
    expect(check).toMatchObject({ id: 'load.baseline', status: 'skipped' });
    expect(check.message).toMatch(/no baseline yet/);
  });

  it('same level with noise → passed', () => {
    const { check } = compareWithBaseline(summary(around(41, 20, 5)), base, cfg);
    expect(check.status).toBe('passed');
  });

  it('a real regression inside the SLA (40 → 70 ms) → failed with the shift', () => {
    const { check, detail } = compareWithBaseline(summary(around(70, 20, 4)), base, cfg);
    expect(check.status).toBe('failed');
    expect(detail!.shiftMs).toBeGreaterThan(25);
    expect(check.onFail).toBe('hold');
  });

  it('significant but tiny shift (under the effect-size floor) → passed', () => {
    const { check, detail } = compareWithBaseline(summary(around(44, 20, 0.5)), { ...base, windowsP95: around(40, 20, 0.5) }, cfg);
    expect(detail!.pValue).toBeLessThan(cfg.alpha);
    expect(check.status).toBe('passed');
  });

  it('records stood runs only, newest first, pruned to keep', async () => {
    const rootDir = await mkdtemp(`${tmpdir()}/pdv-hist-`);
    const config = { rootDir, reportsDir: 'reports', environmentName: 'staging' } as RunSettings;
    const load = loadConfigSchema.parse({ baseline: { keep: 2 } });
    const report = (runId: string, verdict: 'stand' | 'rollback', at: string) =>
      ({ runId, verdict, finishedAt: at, target: { environment: 'staging', baseUrl: 'x' }, extras: { load: summary(around(40 + Number(runId.slice(1)), 10, 1)) } }) as unknown as VerdictReport;
    expect(await recordLoadBaseline(report('r1', 'rollback', '2026-01-01T00:00:00.000Z'), load, config)).toBeUndefined();
    for (const [id, at] of [['r2', '2026-01-02T00:00:00.000Z'], ['r3', '2026-01-03T00:00:00.000Z'], ['r4', '2026-01-04T00:00:00.000Z']] as const) {
      expect(await recordLoadBaseline(report(id, 'stand', at), load, config)).toBeTruthy();
    }
    expect(await readdir(historyDir(config))).toHaveLength(2);
    expect((await latestBaseline(historyDir(config), 'staging-api'))?.runId).toBe('r4');
    expect(await latestBaseline(historyDir(config), 'other')).toBeUndefined();
  });
});
