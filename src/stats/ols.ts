import { checkConfidence, tFor } from './normal.ts';

export interface OlsOptions {
  /** Confidence level of the slope interval (default 0.95). */
  confidence?: number;
}

export interface OlsResult {
  slope: number;
  intercept: number;
  /** Confidence interval of the slope (t with n−2 df); infinite when n < 3. */
  ci: [number, number];
  /** Standard error of the slope. */
  stderr: number;
  n: number;
  r2: number;
}

/**
 * Ordinary least squares y = intercept + slope·x. Points with a non-finite
 * coordinate are dropped. Sums are taken about the means (two passes) so
 * epoch-millisecond x values do not lose precision. Fewer than 2 points, or
 * all x equal → RangeError (no slope can be estimated: the caller errors).
 */
export function olsSlope(points: ReadonlyArray<{ x: number; y: number }>, opts: OlsOptions = {}): OlsResult {
  const confidence = opts.confidence ?? 0.95;
  checkConfidence(confidence);
  const pts = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const n = pts.length;
  if (n < 2) throw new RangeError(`a slope needs at least 2 points (got ${n})`);
  let mx = 0;
  let my = 0;
  for (const p of pts) {
    mx += p.x;
    my += p.y;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of pts) {
    const dx = p.x - mx;
    const dy = p.y - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) throw new RangeError('a slope needs at least two distinct x values');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const sse = Math.max(0, syy - slope * sxy);
  const r2 = syy === 0 ? 1 : 1 - sse / syy;
  if (n < 3) return { slope, intercept, ci: [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY], stderr: Number.POSITIVE_INFINITY, n, r2 };
  const stderr = Math.sqrt(sse / (n - 2) / sxx);
  const half = tFor(confidence, n - 2) * stderr;
  return { slope, intercept, ci: [slope - half, slope + half], stderr, n, r2 };
}
