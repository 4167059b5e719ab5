import { exitCodeFor } from '../core/verdict-exit.ts';
import type { VerdictReport } from '../core/types.ts';
import type { CliIo } from './io.ts';
import { printVerdict } from './progress.ts';

/** Print the verdict (human or --json) and set the exit code from it. */
export function finish(io: CliIo, report: VerdictReport, runDir: string): void {
  if (io.json) io.out(JSON.stringify({ runDir, ...report }, null, 2));
  printVerdict(io, report, runDir);
  io.setExitCode(exitCodeFor(report.verdict));
}
