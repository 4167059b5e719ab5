import type { SectionRenderer } from './html/section.ts';
import type { Environ, VerdictReport } from '../core/types.ts';

// One small interface for every output format (Playwright / vitest style):
// a pure build*(report) function makes the text, a thin reporter writes it.

/** The run's environment variables (one type, core's `Environ`). */
export type Env = Environ;

/** The defence-in-depth redaction pass (core/redact.ts `Redactor` fits). */
export interface FinalRedactor {
  /** Applied to the final text of every file, value by value. */
  text(input: string, options?: { keepVocabulary?: boolean }): string;
  /** When present, applied to the report before it is built (also blanks secret-named keys). */
  deep?<T>(value: T): T;
}

export interface ReportContext {
  /** Absolute path of the run folder. */
  runDir: string;
  /**
   * Write `text` to `<runDir>/<relPath>` atomically after the final redaction
   * pass; returns `relPath`. Reporters write through this, never directly.
   */
  writeText(relPath: string, text: string): Promise<string>;
  /** The final redaction pass for text that leaves through another door (GITHUB_STEP_SUMMARY). */
  redact(text: string, format?: TextFormat): string;
}

export type TextFormat = 'json' | 'markup' | 'text';

export interface Reporter {
  name: string;
  /** Returns the files written, relative to the run folder. */
  write(report: VerdictReport, ctx: ReportContext): Promise<string[]>;
  /**
   * Called instead of write() when verdict.json could not be written: the
   * reporter says the run failed to record its verdict (and claims none).
   * A reporter without this hook writes nothing then.
   */
  unrecorded?(report: VerdictReport, why: string, ctx: ReportContext): Promise<string[]>;
}

export interface ReporterFailure {
  reporter: string;
  /** `<file>: <reason>` when a file could not be written, else what the reporter threw. */
  error: string;
  /** The report file that could not be written (relative to the run folder), when that is what failed. */
  file?: string;
}

export interface WriteReportsResult {
  written: string[];
  failures: ReporterFailure[];
  /** Set when verdict.json could not be written: why (the other reports then say so instead of a verdict). */
  unrecorded?: string;
}

/** What a stage adds to the reports: an HTML section for its extras, and files rendered from the (redacted) report. */
export interface StageReportParts {
  stage: string;
  section?: SectionRenderer;
  /** e.g. security.sarif; `render` returns undefined when the run has nothing for the file. */
  files?: Array<{ name: string; render(report: VerdictReport): string | undefined }>;
}

export interface WriteReportsOptions {
  /** Default: defaultReporters({ stages }). */
  reporters?: Reporter[];
  /** The stages' report parts (sections, files), for the default reporters. */
  stages?: StageReportParts[];
  redactor?: FinalRedactor;
  /** The run's environment variables (read once): `GITHUB_STEP_SUMMARY`. Without it no step summary is written. */
  env?: Env;
  /**
   * verdict.json already holds this run's verdict (a rewrite after the
   * actions, or to add record warnings): failing to rewrite it is a failure
   * like any other, and the other reports still render the verdict.
   */
  recorded?: boolean;
  /** The caller appends $GITHUB_STEP_SUMMARY itself once the record is complete (markdown.ts `appendStepSummary`). */
  deferStepSummary?: boolean;
}
