import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

// Latencies are recorded in microseconds in HDR histograms (pure-JS build:
// no WASM init, loads in any Node 20 thread). Fixed memory per histogram, so
// a run of millions of requests costs the same as a run of hundreds, and two
// histograms add exactly — the basis of worker and multi-machine merges.

export type { Histogram };

/** 1 µs … 1 h at 3 significant digits (±0.1 %). */
export const HIGHEST_US = 3_600_000_000;

export function newHistogram(digits: 2 | 3 = 3): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: digits,
    autoResize: false,
    useWebAssembly: false,
  });
}

export function recordUs(h: Histogram, us: number): void {
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(us))));
}

export function encode(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decode(b64: string, digits: 2 | 3 = 3): Histogram {
  const h = newHistogram(digits);
  h.add(hdr.decodeFromCompressedBase64(b64, 32, false));
  return h;
}

/** Add `from` into `into` (exact: bucket counts are summed). */
export function addInto(into: Histogram, from: Histogram): void {
  if (from.totalCount > 0) into.add(from);
}

export interface LatencySummary {
  count: number;
  /** Milliseconds, 3 decimals. */
  min: number;
  max: number;
  avg: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
}

const ms = (us: number): number => Math.round(us) / 1000;

export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
  return {
    count: h.totalCount,
    min: ms(h.minNonZeroValue),
    max: ms(h.maxValue),
    avg: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
  };
}

/** Distribution for the report's histogram chart: log-spaced buckets, upper bound (ms) and count. */
export function distribution(h: Histogram, buckets = 40): Array<{ leMs: number; count: number }> {
  if (h.totalCount === 0) return [];
  const js = h as unknown as hdr.JsHistogram; // built with useWebAssembly: false, so always a JsHistogram
  const lo = Math.max(1, h.minNonZeroValue);
  const hi = Math.max(lo + 1, h.maxValue);
  const step = Math.log(hi / lo) / buckets;
  const counts = new Array<number>(buckets).fill(0);
  const last = js.countsArrayIndex(hi);
  for (let i = js.countsArrayIndex(lo); i <= last; i++) {
    const c = js.getCountAtIndex(i);
    if (c === 0) continue;
    const v = js.valueFromIndex(i);
    const b = Math.min(buckets - 1, Math.max(0, Math.floor(Math.log(Math.max(v, lo) / lo) / step)));
    counts[b] = (counts[b] ?? 0) + c;
  }
  return counts.map((count, i) => ({ leMs: ms(lo * Math.exp(step * (i + 1))), count }));
}
