import { isAbsolute, join, normalize, sep } from 'node:path';
import { writeFileAtomic } from '../platform/fs.ts';
import { errorMessage } from '../core/errors.ts';
import type { VerdictReport } from '../core/types.ts';
import { defaultReporters } from './defaults.ts';
import { formatFor, redactFinal } from './redact-final.ts';
import type { FinalRedactor, ReportContext, Reporter, TextFormat, WriteReportsOptions, WriteReportsResult } from './types.ts';

// Runs every reporter; one broken reporter is recorded and never sinks the
// others or the run (Playwright reporters/multiplexer.ts).

/** The reporter that writes verdict.json (json.ts); its failure means the run has no recorded verdict. */
const JSON_REPORTER = 'json';

/** A report file that could not be written; the message is `<file>: <reason>` (no absolute path: the run folder is known). */
export class ReportWriteError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`${file}: ${errorMessage(cause).replace(/, \w+ '[^']*'(?: -> '[^']*')?$/, '')}`);
    this.name = 'ReportWriteError';
  }
}

export function reportContext(runDir: string, redactor?: FinalRedactor): ReportContext {
  return {
    runDir,
    redact: (text: string, format: TextFormat = 'text') => redactFinal(text, format, redactor),
    async writeText(relPath: string, text: string): Promise<string> {
      const rel = normalize(relPath);
      // Reporters name their files; a path leaving the run folder is a bug.
      if (isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) throw new Error(`report path escapes the run folder: ${relPath}`);
      const name = rel.split(sep).join('/');
      try {
        await writeFileAtomic(join(runDir, rel), redactFinal(text, formatFor(rel), redactor));
      } catch (err) {
        // Named by its file, so the record rule can say which part is missing (`summary.md: ENOSPC: …`).
        throw new ReportWriteError(name, err);
      }
      return name;
    },
  };
}

/**
 * Write every report of a run into `runDir`. Never throws for a reporter's
 * sake: failures come back in `failures`. A `json` failure (verdict.json not
 * written or not valid) sets `unrecorded`: the other reporters then write
 * their "failed to record its verdict" page instead, and the caller must
 * treat the run as hold.
 */
export async function writeReports(
  report: VerdictReport,
  runDir: string,
  options: WriteReportsOptions | Reporter[] = {},
): Promise<WriteReportsResult> {
  const opts: WriteReportsOptions = Array.isArray(options) ? { reporters: options } : options;
  const reporters = opts.reporters ?? defaultReporters({ ...(opts.stages ? { stages: opts.stages } : {}), ...(opts.env ? { env: opts.env } : {}), ...(opts.deferStepSummary ? { deferStepSummary: true } : {}) });
  const ctx = reportContext(runDir, opts.redactor);
  const result: WriteReportsResult = { written: [], failures: [] };
  // Data-level pass first: every builder sees redacted values, structure intact.
  const data = opts.redactor?.deep ? opts.redactor.deep(report) : report;
  // verdict.json first: if it cannot be written, no other report may claim a verdict.
  const ordered = [...reporters.filter((r) => r.name === JSON_REPORTER), ...reporters.filter((r) => r.name !== JSON_REPORTER)];
  for (const reporter of ordered) {
    try {
      if (result.unrecorded === undefined) result.written.push(...(await reporter.write(data, ctx)));
      else if (reporter.unrecorded) result.written.push(...(await reporter.unrecorded(data, result.unrecorded, ctx)));
    } catch (err) {
      result.failures.push({ reporter: reporter.name, error: errorMessage(err), ...(err instanceof ReportWriteError ? { file: err.file } : {}) });
      // Once verdict.json holds a verdict (`recorded`), failing to rewrite it is one more warning, not an unrecorded run.
      if (reporter.name === JSON_REPORTER && !opts.recorded) result.unrecorded = errorMessage(err);
    }
  }
  return result;
}
