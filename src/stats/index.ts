// Statistics used to compare windows and detect drift (REFERENCE.md, "Statistics for baselines").
export { mannWhitneyU } from './mann-whitney.ts';
export type { MannWhitneyOptions, MannWhitneyResult } from './mann-whitney.ts';
export { olsSlope } from './ols.ts';
export type { OlsOptions, OlsResult } from './ols.ts';
export { phi, tFor, zFor } from './normal.ts';
