import { describe, expect, it } from 'vitest';
import { mannWhitneyU, olsSlope, tFor, zFor } from './index.ts';

// Reference values from SciPy 1.17 (scipy.stats.mannwhitneyu, linregress, t.ppf).
const A = [10.691, 11.643, 10.661, 7.394, 11.811, 10.893, 8.926, 11.162, 10.729, 10.588, 10.057, 11.093, 8.527, 9.674, 9.036, 11.198, 10.079, 9.415, 8.436, 9.486, 10.016, 9.449, 12.588, 12.013, 4.578, 6.222, 9.65, 9.156, 10.427, 10.435];
const B = [16.236, 9.776, 11.245, 16.086, 13.293, 13.326, 10.972, 8.704, 12.335, 12.218, 9.545, 10.634, 11.856, 10.11, 11.803, 12.191, 12.071, 10.987, 13.187, 13.782, 12.642, 10.364, 13.463, 10.997, 13.758, 9.856, 13.829, 11.96, 9.503, 11.372, 12.108, 12.546, 10.036, 9.785, 12.399, 11.067, 12.471, 13.519, 8.702, 12.509];

describe('quantiles', () => {
  it.each([
    [0.95, 10, 2.228138851986274],
    [0.9, 3, 2.3533634348018233],
  ])('t(%s, df=%s) = %s', (conf, df, want) => {
    expect(tFor(conf, df)).toBeCloseTo(want, 9);
  });
  it('z(0.95) = 1.959964', () => expect(zFor(0.95)).toBeCloseTo(1.959963984540054, 9));
});

describe('mannWhitneyU', () => {
  it('matches SciPy (asymptotic, tie- and continuity-corrected)', () => {
    const r = mannWhitneyU(A, B);
    expect(r.u).toBe(246);
    expect(r.exact).toBe(false);
    expect(r.pValue).toBeCloseTo(2.7254292662984508e-5, 9);
    expect(r.hodgesLehmann).toBeCloseTo(1.7785, 9);
    expect(r.ci[0]).toBeCloseTo(0.993, 9);
    expect(r.ci[1]).toBeCloseTo(2.599, 9);
    expect(r.n1).toBe(30);
    expect(r.n2).toBe(40);
  });
  it('matches SciPy with ties', () => {
    const r = mannWhitneyU([1, 2, 2, 3, 3, 3, 4, 5, 10, 12], [3, 4, 5, 5, 6, 7, 8, 8, 9, 15, 20]);
    expect(r.u).toBe(24);
    expect(r.pValue).toBeCloseTo(0.030795993719216475, 9);
    expect(r.hodgesLehmann).toBe(3);
  });
  it.each([
    [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11], 0, 0.004329004329004329],
    [[3, 1, 4, 15, 9, 2, 6], [5, 35, 8, 97, 93, 23, 84, 62, 64], 5, 0.003321678321678322],
  ])('exact p for small samples without ties', (a, b, u, p) => {
    const r = mannWhitneyU(a, b);
    expect(r.exact).toBe(true);
    expect(r.u).toBe(u);
    expect(r.pValue).toBeCloseTo(p, 12);
  });
  it('is symmetric: swapping samples mirrors U and the shift', () => {
    const r1 = mannWhitneyU(A, B);
    const r2 = mannWhitneyU(B, A);
    expect(r1.u + r2.u).toBe(A.length * B.length);
    expect(r2.pValue).toBeCloseTo(r1.pValue, 12);
    expect(r2.hodgesLehmann).toBeCloseTo(-r1.hodgesLehmann, 12);
  });
  it('identical constant samples → p = 1, shift 0', () => {
    const r = mannWhitneyU([5, 5, 5, 5], [5, 5, 5]);
    expect(r.pValue).toBe(1);
    expect(r.hodgesLehmann).toBe(0);
  });
  it('drops NaN and rejects empty samples', () => {
    expect(mannWhitneyU([1, Number.NaN, 2], [3, 4]).n1).toBe(2);
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
  });
  it('bounds the pair count on large samples and still finds the shift', () => {
    const a = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 1000);
    const b = a.map((v) => v + 100);
    const r = mannWhitneyU(a, b, { maxPairs: 250_000 });
    expect(r.pValue).toBeLessThan(1e-6);
    expect(r.hodgesLehmann).toBeGreaterThan(90);
    expect(r.hodgesLehmann).toBeLessThan(110);
    expect(r.ci[0]).toBeLessThanOrEqual(r.hodgesLehmann);
    expect(r.ci[1]).toBeGreaterThanOrEqual(r.hodgesLehmann);
  });
});

describe('olsSlope', () => {
  it('matches SciPy linregress and the t interval', () => {
    const y = [2.1, 3.9, 6.2, 7.8, 10.1, 12.2, 13.8, 16.1, 18.0, 20.2];
    const r = olsSlope(y.map((v, i) => ({ x: i + 1, y: v })));
    expect(r.slope).toBeCloseTo(2.0072727272727273, 10);
    expect(r.intercept).toBeCloseTo(0, 10);
    expect(r.stderr).toBeCloseTo(0.018242323567631905, 10);
    expect(r.ci[0]).toBeCloseTo(1.9652058536900356, 9);
    expect(r.ci[1]).toBeCloseTo(2.049339600855419, 9);
    expect(r.r2).toBeCloseTo(0.9993396857603887, 10);
    expect(r.n).toBe(10);
  });
  it('keeps precision with epoch-millisecond x values', () => {
    const t0 = 1_790_000_000_000;
    const r = olsSlope(Array.from({ length: 100 }, (_, i) => ({ x: t0 + i * 30_000, y: 5 + 0.001 * i * 30_000 })));
    expect(r.slope).toBeCloseTo(0.001, 12);
    expect(r.ci[1] - r.ci[0]).toBeLessThan(1e-9);
  });
  it('flat noise gives an interval around 0', () => {
    const r = olsSlope(Array.from({ length: 50 }, (_, i) => ({ x: i, y: i % 2 === 0 ? 1 : -1 })));
    expect(r.ci[0]).toBeLessThan(0);
    expect(r.ci[1]).toBeGreaterThan(0);
  });
  it('two points: slope, infinite interval; fewer or equal x: RangeError', () => {
    const r = olsSlope([{ x: 0, y: 0 }, { x: 1, y: 2 }]);
    expect(r.slope).toBe(2);
    expect(r.ci[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(() => olsSlope([{ x: 1, y: 1 }])).toThrow(RangeError);
    expect(() => olsSlope([{ x: 1, y: 1 }, { x: 1, y: 2 }])).toThrow(RangeError);
  });
});
