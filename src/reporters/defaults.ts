import { htmlReporter } from './html/index.ts';
import { jsonReporter } from './json.ts';
import { junitReporter } from './junit.ts';
import { markdownReporter } from './markdown.ts';
import type { Env, Reporter } from './types.ts';

/** verdict.json, summary.md (+ $GITHUB_STEP_SUMMARY), junit.xml, index.html. */
export function defaultReporters(options: { env?: Env } = {}): Reporter[] {
  return [jsonReporter(), markdownReporter(options), junitReporter(), htmlReporter()];
}
