import { describe, expect, it } from 'vitest';
import { judgeWindows } from './comparison.ts';
import { comparisonConfigSchema } from './config.ts';

const cmp = comparisonConfigSchema.parse({ name: 'c', query: 'q' });
const win = (values: number[], t0 = 0): Array<[number, number]> => values.map((v, i) => [t0 + i * 1000, v]);
const noisy = (base: number, n = 30): number[] => Array.from({ length: n }, (_, i) => base + ((i * 7919) % 13) / 13);

describe('judgeWindows', () => {
  it('a clear increase beyond the floor fails, with both medians in the message', () => {
    const out = judgeWindows(cmp, win(noisy(100)), win(noisy(130), 60_000), '2026-11-26T00:00:00Z');
    expect(out.status).toBe('failed');
    expect(out.message).toMatch(/median 100\.\d+ before → 130\.\d+ after/);
    expect(out.test!.hodgesLehmann).toBeCloseTo(30, 0);
  });
  it('a significant shift under the effect-size floor passes (10% of the baseline)', () => {
    expect(judgeWindows(cmp, win(noisy(100)), win(noisy(105)), 'x').status).toBe('passed');
  });
  it('a decrease passes when only increase is bad, fails with direction either', () => {
    expect(judgeWindows(cmp, win(noisy(100)), win(noisy(50)), 'x').status).toBe('passed');
    expect(judgeWindows({ ...cmp, direction: 'either' }, win(noisy(100)), win(noisy(50)), 'x').status).toBe('failed');
  });
  it('same distribution passes; too few values is errored (hold)', () => {
    expect(judgeWindows(cmp, win(noisy(100)), win(noisy(100)), 'x').status).toBe('passed');
    const few = judgeWindows(cmp, win([1, 2]), win(noisy(100)), 'x');
    expect(few.status).toBe('errored');
    expect(few.message).toMatch(/not enough data: 2 values before/);
  });
});
