// Reporters: verdict.json, summary.md, junit.xml, index.html — one small
// interface, a multiplexer that never lets a broken reporter sink the run.

export type { Env, FinalRedactor, Reporter, ReportContext, ReporterFailure, TextFormat, WriteReportsOptions, WriteReportsResult } from './types.ts';
export { writeReports, reportContext, ReportWriteError } from './multiplexer.ts';
export { defaultReporters } from './defaults.ts';
export { validateVerdict, VERDICT_SCHEMA, type ValidationResult } from './schema.ts';
export { buildVerdictJson, jsonReporter, VERDICT_FILE } from './json.ts';
export { appendStepSummary, buildSummaryMarkdown, markdownReporter, SUMMARY_FILE } from './markdown.ts';
export { buildJunitXml, junitReporter, JUNIT_FILE } from './junit.ts';
export { buildHtml, htmlReporter, HTML_FILE } from './html/index.ts';
export { updateLatestLink, type LatestLink } from './latest.ts';
export { redactFinal } from './redact-final.ts';
export { RECORD_WARNING } from './format.ts';
