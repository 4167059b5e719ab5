import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

// Distribution functions come from @stdlib (tested against reference values
// there); this file only narrows them to the few calls pdv makes.

/** Standard normal CDF. */
export function phi(z: number): number {
  return normalCdf(z, 0, 1);
}

/** Two-sided quantile of the standard normal for a confidence level (0.95 → 1.959964). */
export function zFor(confidence: number): number {
  return normalQuantile(1 - (1 - confidence) / 2, 0, 1);
}

/** Two-sided Student-t critical value for a confidence level and degrees of freedom. */
export function tFor(confidence: number, df: number): number {
  return tQuantile(1 - (1 - confidence) / 2, df);
}

export function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
}
