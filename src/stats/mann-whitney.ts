import { checkConfidence, phi, zFor } from './normal.ts';

export interface MannWhitneyOptions {
  /** Confidence level of the Hodges–Lehmann interval (default 0.95). */
  confidence?: number;
  /**
   * Above this many pairwise differences the Hodges–Lehmann estimate and its
   * interval are computed on evenly spaced order statistics of each sample
   * (default 1,000,000), so a long soak window cannot make judging quadratic.
   */
  maxPairs?: number;
}

export interface MannWhitneyResult {
  /** U statistic of sample `a` (pairs where a > b, ties count ½). */
  u: number;
  /** Normal approximation z (tie-corrected, continuity-corrected); 0 when exact. */
  z: number;
  /** Two-sided p-value (exact for small samples without ties). */
  pValue: number;
  n1: number;
  n2: number;
  /** Hodges–Lehmann shift of `b` relative to `a`: median of (b_j − a_i). Positive = b larger. */
  hodgesLehmann: number;
  /** Distribution-free confidence interval for that shift. */
  ci: [number, number];
  exact: boolean;
}

const EXACT_MAX_N = 20;

/**
 * Two-sided Mann–Whitney U (Wilcoxon rank-sum) test of `a` against `b`, with
 * the Hodges–Lehmann shift and its interval (Kayenta and benchstat report the
 * same pair). NaNs are dropped; either sample empty → RangeError.
 */
export function mannWhitneyU(aIn: readonly number[], bIn: readonly number[], opts: MannWhitneyOptions = {}): MannWhitneyResult {
  const confidence = opts.confidence ?? 0.95;
  checkConfidence(confidence);
  const a = aIn.filter(Number.isFinite);
  const b = bIn.filter(Number.isFinite);
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError(`Mann–Whitney U needs two non-empty samples (got ${n1} and ${n2})`);

  // Midranks over the pooled sample, plus the tie term for the variance.
  const pooled = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const N = n1 + n2;
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < N; ) {
    let j = i;
    while (j + 1 < N && pooled[j + 1]!.v === pooled[i]!.v) j++;
    const t = j - i + 1;
    const midrank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (pooled[k]!.g === 0) rankSumA += midrank;
    if (t > 1) tieTerm += t * t * t - t;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;

  let z = 0;
  let pValue: number;
  const exact = tieTerm === 0 && n1 <= EXACT_MAX_N && n2 <= EXACT_MAX_N;
  if (exact) {
    pValue = exactTwoSided(u, n1, n2);
  } else {
    const variance = (n1 * n2 / 12) * (N + 1 - tieTerm / (N * (N - 1)));
    if (variance <= 0) {
      pValue = 1; // every value equal: no evidence of a difference
    } else {
      const diff = u - mean;
      const corrected = Math.max(0, Math.abs(diff) - 0.5);
      z = Math.sign(diff) * corrected / Math.sqrt(variance);
      pValue = Math.min(1, 2 * (1 - phi(Math.abs(z))));
    }
  }

  const { hodgesLehmann, ci } = hodgesLehmannShift(a, b, confidence, opts.maxPairs ?? 1_000_000);
  return { u, z, pValue, n1, n2, hodgesLehmann, ci, exact };
}

/** Exact two-sided p of U under H0 (no ties): counts from the Gaussian binomial coefficient. */
function exactTwoSided(u: number, n1: number, n2: number): number {
  const max = n1 * n2;
  // counts[k] = number of arrangements with U = k; built by the recurrence
  // f(n1, n2) = f(n1-1, n2) shifted by n2 + f(n1, n2-1), via a table over n2.
  let prev: Float64Array[] = [];
  for (let j = 0; j <= n2; j++) prev[j] = Float64Array.of(1); // n1 = 0
  for (let i = 1; i <= n1; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)]; // n2 = 0
    for (let j = 1; j <= n2; j++) {
      const arr = new Float64Array(i * j + 1);
      const left = prev[j]!; // f(i-1, j), shifted by j
      for (let k = 0; k < left.length; k++) arr[k + j] = (arr[k + j] ?? 0) + left[k]!;
      const down = cur[j - 1]!; // f(i, j-1)
      for (let k = 0; k < down.length; k++) arr[k] = (arr[k] ?? 0) + down[k]!;
      cur[j] = arr;
    }
    prev = cur;
  }
  const counts = prev[n2]!;
  let total = 0;
  for (const c of counts) total += c;
  const lo = Math.min(u, max - u);
  let tail = 0;
  for (let k = 0; k <= Math.floor(lo + 1e-9); k++) tail += counts[k]!;
  return Math.min(1, (2 * tail) / total);
}

function hodgesLehmannShift(a: number[], b: number[], confidence: number, maxPairs: number): { hodgesLehmann: number; ci: [number, number] } {
  let xs = [...a].sort((p, q) => p - q);
  let ys = [...b].sort((p, q) => p - q);
  if (xs.length * ys.length > maxPairs) {
    const side = Math.max(2, Math.floor(Math.sqrt(maxPairs)));
    xs = thin(xs, side);
    ys = thin(ys, side);
  }
  const m = xs.length;
  const n = ys.length;
  const diffs = new Float64Array(m * n);
  let k = 0;
  for (const y of ys) for (const x of xs) diffs[k++] = y - x;
  const total = diffs.length;
  // Only three order statistics are needed: select them (O(n)) instead of sorting (O(n log n)).
  const at = (rank: number): number => select(diffs, rank);
  const hodgesLehmann = total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
  // Normal-approximation rank of the lower bound (Lehmann 1975; as in R's wilcox.test, large-sample branch).
  const c = Math.floor(total / 2 - zFor(confidence) * Math.sqrt((m * n * (m + n + 1)) / 12));
  if (c < 1) return { hodgesLehmann, ci: [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY] };
  return { hodgesLehmann, ci: [at(c - 1), at(total - c)] };
}

/** k-th smallest (0-based) by in-place quickselect (Hoare partition, median-of-three pivot). */
export function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median of three as the pivot value
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Evenly spaced order statistics of a sorted sample (keeps its shape, bounds the pair count). */
function thin(sorted: number[], size: number): number[] {
  if (sorted.length <= size) return sorted;
  const out: number[] = [];
  for (let i = 0; i < size; i++) out.push(sorted[Math.round((i * (sorted.length - 1)) / (size - 1))]!);
  return out;
}
