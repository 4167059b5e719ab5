import { htmlReporter } from './html/index.ts';
import { jsonReporter } from './json.ts';
import { junitReporter } from './junit.ts';
import { markdownReporter } from './markdown.ts';
import { stageFilesReporter } from './stage-files.ts';
import type { Env, Reporter, StageReportParts } from './types.ts';

/** verdict.json, summary.md (+ $GITHUB_STEP_SUMMARY), junit.xml, index.html (with each stage's section), and each stage's own files (e.g. security.sarif). */
export function defaultReporters(options: { env?: Env; stages?: StageReportParts[]; deferStepSummary?: boolean } = {}): Reporter[] {
  const stages = options.stages ?? [];
  const md = { ...(options.env ? { env: options.env } : {}), ...(options.deferStepSummary ? { deferStepSummary: true } : {}) };
  return [jsonReporter(), markdownReporter(md), junitReporter(), htmlReporter(stages), stageFilesReporter(stages)];
}
