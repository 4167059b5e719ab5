import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { formatNumber, histogram, lineChart, niceTicks } from './charts.ts';

const T0 = Date.parse('2026-11-26T04:00:00Z');

function wellFormed(svg: string): void {
  expect(XMLValidator.validate(svg)).toBe(true);
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
}

describe('lineChart', () => {
  const base = {
    series: [
      { name: 'p99', points: [0, 1, 2, 3].map((i) => ({ x: T0 + i * 60_000, y: 100 + i * 10 })) },
      { name: 'p50', points: [0, 1, 2, 3].map((i) => ({ x: T0 + i * 60_000, y: 20 })) },
    ],
    thresholds: [{ y: 800, label: 'p99 < 800 ms' }],
    markers: [{ x: T0 + 90_000, label: 'deploy' }],
    yUnit: 'ms',
    title: 'Latency',
  };

  it('draws one path per series, a threshold line, a marker and a legend (well-formed SVG)', () => {
    const svg = lineChart(base);
    wellFormed(svg);
    expect(svg.match(/<g class="series">/g)).toHaveLength(2);
    expect(svg).toContain('<title>p99</title>');
    expect(svg).toContain('p99 &lt; 800 ms');
    expect(svg).toContain('>deploy</text>');
    expect(svg.match(/<g class="legend">/g)).toHaveLength(2);
    expect(svg).toContain('04:01:00'); // epoch-ms x axis as UTC clock
  });

  it('labels seconds-from-start as elapsed time', () => {
    const svg = lineChart({ series: [{ name: 'rps', points: [0, 60, 120, 180].map((x) => ({ x, y: x })) }], yUnit: 'req/s', title: 'Rate' });
    wellFormed(svg);
    expect(svg).toContain('>elapsed</text>');
    expect(svg).toMatch(/>1m<\/text>/);
  });

  it('scales the y axis to include thresholds above the data', () => {
    const svg = lineChart(base);
    const ticks = [...svg.matchAll(/text-anchor="end">([\d.k]+)<\/text>/g)].map((m) => Number(m[1]));
    expect(Math.max(...ticks)).toBeGreaterThanOrEqual(800);
  });

  it('leaves a gap for missing samples instead of drawing zero', () => {
    const svg = lineChart({ series: [{ name: 's', points: [{ x: 0, y: 1 }, { x: 1, y: NaN }, { x: 2, y: 3 }] }], yUnit: '', title: 't' });
    const d = /<path d="([^"]+)"/.exec(svg)![1]!;
    expect(d.match(/M/g)).toHaveLength(2);
  });

  it('says "no data" for empty series', () => {
    const svg = lineChart({ series: [{ name: 'x', points: [] }], yUnit: 'ms', title: 'Empty' });
    wellFormed(svg);
    expect(svg).toContain('no data');
  });

  it('escapes titles, series names and labels', () => {
    const svg = lineChart({ ...base, title: '<script>alert(1)</script>', series: [{ name: 'a"b<c>', points: [{ x: 0, y: 1 }] }] });
    wellFormed(svg);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('a&quot;b&lt;c&gt;');
  });

  it('keeps a long series drawable but keeps its spike', () => {
    const points = Array.from({ length: 50_000 }, (_, i) => ({ x: i, y: i === 31_337 ? 9_999 : 1 }));
    const svg = lineChart({ series: [{ name: 'soak', points }], yUnit: 'ms', title: 'Soak' });
    const d = /<path d="([^"]+)"/.exec(svg)![1]!;
    expect(d.split(/[ML]/).length - 1).toBeLessThanOrEqual(2000);
    expect(svg).toMatch(/>10k<\/text>|>9\.99k<\/text>/); // y axis reaches the spike
  });
});

describe('histogram', () => {
  it('draws one bar per bucket with counts in tooltips', () => {
    const svg = histogram({ buckets: [{ le: 10, count: 5 }, { le: 50, count: 20 }, { le: '+Inf', count: 1 }], title: 'Latency <ms>', unit: 'ms' });
    wellFormed(svg);
    expect(svg.match(/<rect /g)).toHaveLength(3);
    expect(svg).toContain('≤ 50 ms: 20 (76.9%)');
    expect(svg).toContain('≤ ∞: 1');
    expect(svg).toContain('Latency &lt;ms&gt;');
  });

  it('turns cumulative (Prometheus) buckets into per-bucket counts', () => {
    const svg = histogram({ buckets: [{ le: 0.1, count: 10 }, { le: 0.5, count: 30 }, { le: Infinity, count: 31 }], title: 'h', unit: 's', cumulative: true });
    expect(svg).toContain('≤ 0.1 s: 10');
    expect(svg).toContain('≤ 0.5 s: 20');
    expect(svg).toContain('≤ ∞: 1');
  });

  it('says "no data" without buckets', () => {
    expect(histogram({ buckets: [], title: 'h', unit: 'ms' })).toContain('no data');
  });
});

describe('axis helpers', () => {
  it.each([
    [0, 100, [0, 20, 40, 60, 80, 100]],
    [0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [0, 880, [0, 200, 400, 600, 800]],
  ])('niceTicks(%d, %d)', (lo, hi, ticks) => {
    expect(niceTicks(lo, hi)).toEqual(ticks);
  });

  it.each([
    [1234, '1234'],
    [12_345, '12.3k'],
    [2_500_000, '2.5M'],
    [0.01234, '0.0123'],
    [Infinity, '∞'],
  ])('formatNumber(%d) = %s', (v, s) => {
    expect(formatNumber(v)).toBe(s);
  });
});
