import { htmlReporter } from './html/index.ts';
import { jsonReporter } from './json.ts';
import { junitReporter } from './junit.ts';
import { markdownReporter } from './markdown.ts';
import { sarifReporter } from './sarif.ts';
import type { Env, Reporter } from './types.ts';

/** verdict.json, summary.md (+ $GITHUB_STEP_SUMMARY), junit.xml, index.html, and security.sarif when security ran (so `pdv report` / `pdv merge` re-render it). */
export function defaultReporters(options: { env?: Env } = {}): Reporter[] {
  return [jsonReporter(), markdownReporter(options), junitReporter(), htmlReporter(), sarifReporter()];
}
