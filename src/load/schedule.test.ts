import { describe, expect, it } from 'vitest';
import { executorSchema } from './scenario.ts';
import { ArrivalCursor, arrivals, chooseIndex, cumulativeWeights, peakRatePerSecond, plannedCount, stripeFor, takeDue } from './schedule.ts';

const req = [{ name: 'x', path: '/' }];
const constant = executorSchema.parse({ executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '10s', requests: req });
const ramp = executorSchema.parse({
  executor: 'ramping-arrival-rate',
  startRate: 0,
  timeUnit: '1s',
  stages: [
    { target: 100, duration: '10s' },
    { target: 100, duration: '5s' },
    { target: 0, duration: '5s' },
  ],
  requests: req,
});

describe('open-model schedule', () => {
  it('constant rate: rate × duration arrivals, evenly spaced from t=0', () => {
    const all = [...arrivals(constant)];
    expect(all).toHaveLength(500);
    expect(all[0]?.tUs).toBe(0);
    expect(all[1]?.tUs).toBeCloseTo(20_000, 6);
    expect(all[499]?.tUs).toBeCloseTo(9_980_000, 3);
  });

  it('timeUnit scales the rate (30 per minute = 0.5/s)', () => {
    const e = executorSchema.parse({ executor: 'constant-arrival-rate', rate: 30, timeUnit: '1m', duration: '10s', requests: req });
    expect(plannedCount(e)).toBe(5);
    expect([...arrivals(e)].map((a) => a.tUs / 1e6)).toEqual([0, 2, 4, 6, 8]);
    expect(peakRatePerSecond(e)).toBe(0.5);
  });

  it('ramping rate: the number of arrivals is the area under the rate curve, in order', () => {
    // 0→100 over 10 s = 500, 100 for 5 s = 500, 100→0 over 5 s = 250.
    expect(plannedCount(ramp)).toBe(1250);
    const t = [...arrivals(ramp)].map((a) => a.tUs);
    expect(t).toHaveLength(1250);
    for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThanOrEqual(t[i - 1] as number);
    // Half of the ramp's 500 arrivals come in its last 2.93 s (sqrt(0.5) of 10 s): rate grows linearly.
    expect(t[250]! / 1e6).toBeCloseTo(10 * Math.sqrt(0.5), 2);
    expect(t[500]! / 1e6).toBeCloseTo(10, 3);
    expect(t[1000]! / 1e6).toBeCloseTo(15, 3);
    expect(peakRatePerSecond(ramp)).toBe(100);
  });

  it('segments × workers partition the schedule exactly: no arrival lost or repeated', () => {
    const whole = [...arrivals(ramp)].map((a) => a.k);
    const parts: number[] = [];
    for (let s = 1; s <= 3; s++) for (let w = 0; w < 2; w++) parts.push(...[...arrivals(ramp, stripeFor({ index: s, total: 3 }, w, 2))].map((a) => a.k));
    expect(parts.sort((a, b) => a - b)).toEqual(whole);
    // and each arrival keeps its intended time whichever runner owns it
    const seg = [...arrivals(ramp, stripeFor({ index: 2, total: 3 }))];
    const byK = new Map([...arrivals(ramp)].map((a) => [a.k, a.tUs]));
    for (const a of seg) expect(a.tUs).toBe(byK.get(a.k));
  });

  it('weighted choice follows the weights within 1% over any stripe', () => {
    const cum = cumulativeWeights([5, 3, 1, 1]);
    const counts = [0, 0, 0, 0];
    for (let k = 1; k < 100_000; k += 3) counts[chooseIndex(k, cum)]!++;
    const n = counts.reduce((a, b) => a + b, 0);
    expect(counts.map((c) => c / n)).toEqual([expect.closeTo(0.5, 2), expect.closeTo(0.3, 2), expect.closeTo(0.1, 2), expect.closeTo(0.1, 2)]);
  });

  // The engine's scheduler fires what is due once per tick. Ticks here come from a fake clock:
  // irregular steps and a 200 ms stall (the generator's own process frozen), so the test is exact.
  describe('batching per tick (fake clock)', () => {
    const rate = 20_000;
    const e = executorSchema.parse({ executor: 'constant-arrival-rate', rate, timeUnit: '1s', duration: '2s', requests: req });
    function run(max: number) {
      let seed = 7;
      const rnd = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      const c = new ArrivalCursor(e);
      const fired: Array<{ k: number; tUs: number; atUs: number }> = [];
      const checkpoints: Array<{ atUs: number; sent: number }> = [];
      for (let now = 0; !c.done; ) {
        now += now > 700_000 && now < 701_000 ? 200_000 : 100 + rnd() * 2900;
        takeDue(c, now, max, (k, tUs) => fired.push({ k, tUs, atUs: now }));
        checkpoints.push({ atUs: now, sent: fired.length });
      }
      return { fired, checkpoints };
    }

    it('every arrival is fired once, in order, never before its intended time, keeping that time', () => {
      const { fired } = run(256);
      expect(fired).toHaveLength(plannedCount(e));
      const byK = new Map([...arrivals(e)].map((a) => [a.k, a.tUs]));
      const wrong = fired.filter((f, i) => f.k !== i || f.tUs !== byK.get(f.k) || f.atUs < f.tUs);
      expect(wrong).toEqual([]);
    });

    it('rate accuracy: requests sent by any tick stay within 1 % of rate × time, once the 200 ms stall is caught up', () => {
      const { checkpoints } = run(256);
      const stallEnd = checkpoints.find((p) => p.atUs > 900_000)!.atUs;
      for (const p of checkpoints) {
        if (p.atUs < 100_000 || p.atUs >= 2_000_000 || (p.atUs > 700_000 && p.atUs < stallEnd + 300_000)) continue;
        const expected = Math.min(plannedCount(e), Math.floor((p.atUs * rate) / 1e6) + 1);
        expect(Math.abs(p.sent - expected) / expected).toBeLessThan(0.01);
      }
      expect(checkpoints[checkpoints.length - 1]?.sent).toBe(plannedCount(e));
    });

    it('a stalled tick sends its backlog in capped batches; each request keeps its intended start', () => {
      const { fired } = run(256);
      // The stall's 4000 arrivals go out over later ticks, at most 256 per tick, with their own (earlier) intended times.
      const late = fired.filter((f) => f.atUs - f.tUs > 100_000);
      expect(late.length).toBeGreaterThan(1500);
      const perTick = new Map<number, number>();
      for (const f of fired) perTick.set(f.atUs, (perTick.get(f.atUs) ?? 0) + 1);
      expect(Math.max(...perTick.values())).toBe(256);
      expect(Math.max(...late.map((f) => f.atUs - f.tUs))).toBeGreaterThan(190_000);
    });
  });
});
