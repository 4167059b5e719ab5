import type { RunEvent } from '../core/events.ts';
import type { CheckStatus, VerdictReport } from '../core/types.ts';
import type { CliIo } from './io.ts';

// Live terminal view: one line per stage and check as events arrive.

const MARK: Record<CheckStatus, string> = { passed: 'ok  ', failed: 'FAIL', flaky: 'FLKY', skipped: 'skip', errored: 'ERR ' };

export function progressPrinter(io: CliIo): (e: RunEvent) => void {
  return (e) => {
    switch (e.type) {
      case 'stage.start':
        io.info(`▶ ${e.stage}`);
        break;
      case 'check': {
        const c = e.check;
        const tail = c.status === 'passed' ? '' : ` — ${c.message ?? ''}`;
        const attempts = c.attempts > 1 ? ` (${c.attempts} attempts)` : '';
        io.info(`  ${MARK[c.status]} ${c.id} [${c.severity}]${attempts}${tail}`);
        break;
      }
      case 'progress':
        // Stages may run side by side: each line names its stage.
        io.info(`  … ${e.stage}: ${e.message}`);
        break;
      case 'stage.end':
        io.info(`■ ${e.stage.name}: ${e.stage.status} in ${(e.stage.durationMs / 1000).toFixed(1)}s${e.stage.message ? ` — ${e.stage.message}` : ''}`);
        break;
      case 'action':
        io.info(`⚑ ${e.action.kind} ${e.action.name}: ${e.action.status} — ${e.action.message}`);
        break;
      default:
        break;
    }
  };
}

export function printVerdict(io: CliIo, report: VerdictReport, runDir: string): void {
  const failedAction = report.actions.find((a) => a.kind === 'rollback' && a.status === 'failed');
  if (failedAction) io.info(`!!! ROLLBACK FAILED: ${failedAction.message}`);
  io.info('');
  io.info(`VERDICT: ${report.verdict.toUpperCase()}${report.partial ? ' (partial)' : ''} — ${report.target.environment} ${report.target.baseUrl}`);
  for (const r of report.reasons.slice(0, 10)) io.info(`  ${r.effect}: [${r.severity}] ${r.checkId} — ${r.message}`);
  if (report.reasons.length > 10) io.info(`  … ${report.reasons.length - 10} more reasons in the report`);
  for (const w of report.warnings.slice(0, 5)) io.info(`  warning: ${w.checkId} — ${w.message}`);
  const c = report.counts;
  io.info(`  checks: ${c.passed} passed, ${c.failed} failed, ${c.flaky} flaky, ${c.errored} errored, ${c.skipped} skipped`);
  io.info(`  report: ${runDir}/index.html`);
}
