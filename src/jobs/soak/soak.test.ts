import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { soakConfigSchema } from '../../stages/metrics/config.ts';
import { trendChecks } from './checks.ts';
import { downsample, type SeriesData } from './series.ts';
import { appendTick, readTicks } from './store.ts';
import type { SoakPlan, TickRecord } from './types.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const tick = (seq: number): TickRecord => ({ seq, at: new Date(1_790_000_000_000 + seq * 1000).toISOString(), durationMs: 1, probes: [], values: { memory: seq }, errors: {}, alarms: [] });

describe('journal', () => {
  it('seals a torn last line and readers skip it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pdv-soak-unit-'));
    dirs.push(dir);
    appendTick(dir, tick(1));
    appendFileSync(join(dir, 'ticks.jsonl'), '{"seq":2,"at":"20'); // killed mid-write
    appendTick(dir, tick(2));
    const lines = readFileSync(join(dir, 'ticks.jsonl'), 'utf8').split('\n');
    expect(lines).toHaveLength(4); // tick, torn, tick, ''
    const seen: number[] = [];
    const r = await readTicks(dir, (t) => seen.push(t.seq));
    expect(seen).toEqual([1, 2]);
    expect(r).toEqual({ ticks: 2, skipped: 1, duplicates: 0 });
  });
});

describe('trend checks', () => {
  const plan = { soak: soakConfigSchema.parse({ warmup: 0 }) } as SoakPlan;
  const spec = { name: 'memory', unit: 'bytes' as const, maxGrowthPerHour: 50 * 1024 * 1024, title: 'Memory' };
  const series = (f: (i: number) => number, n = 200): SeriesData => ({ points: Array.from({ length: n }, (_, i) => [i * 30_000, f(i)] as [number, number]), errors: 0 });
  const noise = (i: number): number => ((Math.sin(i * 12.9898) * 43758.5453) % 1) * 4e6;

  it('a leak: lower bound above the allowed growth → failed, slope and interval in the message', () => {
    // 100 MiB/h over 100 min, with noise.
    const { checks, trend } = trendChecks(spec, series((i) => 500e6 + (i * 30_000 * 100 * 1024 * 1024) / 3_600_000 + noise(i)), plan, 0);
    expect(checks[0]!.status).toBe('failed');
    expect(checks[0]!.message).toMatch(/memory leak: memory grows 1\d\d\.\d\d MiB\/h \(95% CI .* MiB\/h … .* MiB\/h, n=200\); allowed 50\.00 MiB\/h/);
    expect(trend.ci![0]).toBeGreaterThan(50 * 1024 * 1024);
    expect(checks.find((c) => c.id === 'soak.drift.memory')?.status).toBe('failed');
  });
  it('flat with noise → passed; growth under the allowance → passed', () => {
    expect(trendChecks(spec, series((i) => 500e6 + noise(i)), plan, 0).checks.map((c) => c.status)).toEqual(['passed', 'passed']);
    const slow = trendChecks(spec, series((i) => 500e6 + (i * 30_000 * 10 * 1024 * 1024) / 3_600_000 + noise(i)), plan, 0);
    expect(slow.checks.map((c) => c.status)).toEqual(['passed', 'passed']);
  });
  it('too few values or mostly unreadable → errored (hold), naming the last error', () => {
    const few = trendChecks(spec, { points: [[0, 1], [1, 2]], errors: 3, lastError: 'HTTP 503' }, plan, 0);
    expect(few.checks[0]!.status).toBe('errored');
    expect(few.checks[0]!.message).toMatch(/HTTP 503/);
  });
  it('downsample keeps at most max points and the mean level', () => {
    const pts = Array.from({ length: 10_000 }, (_, i) => [i, 5] as [number, number]);
    const d = downsample(pts, 100);
    expect(d).toHaveLength(100);
    expect(d.every(([, v]) => v === 5)).toBe(true);
  });
});
