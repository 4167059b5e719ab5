import type { RunEvent } from '../core/events.ts';
import { effectiveOnFail } from '../core/policy.ts';
import type { CheckResult, CheckStatus, VerdictReport } from '../core/types.ts';
import { logText as t } from '../core/untrusted.ts';
import type { CliIo } from './io.ts';

// Live terminal view: one line per stage and check as events arrive. Every
// value that a target or a config could have written goes through logText().

const MARK: Record<CheckStatus, string> = { passed: 'ok  ', failed: 'FAIL', flaky: 'FLKY', skipped: 'skip', errored: 'ERR ' };

/** A failure that only warns (onFail warn, dry-run, quarantined): the stage line must not read "failed" above a STAND. */
function onlyWarns(c: CheckResult): boolean {
  return Boolean(c.dryRun || c.quarantine) || effectiveOnFail(c) === 'warn';
}

/** The stage line's status: "passed with N warnings" when every failure in it only warns. */
export function stageStatusText(status: string, tally: { problems: number; warnings: number } | undefined): string {
  if (status !== 'failed' || !tally || tally.problems > 0 || tally.warnings === 0) return t(status);
  return `passed with ${tally.warnings} warning${tally.warnings === 1 ? '' : 's'}`;
}

export function progressPrinter(io: CliIo): (e: RunEvent) => void {
  const tallies = new Map<string, { problems: number; warnings: number }>();
  return (e) => {
    switch (e.type) {
      case 'stage.start':
        io.info(`▶ ${t(e.stage)}`);
        break;
      case 'check': {
        const c = e.check;
        if (c.status === 'failed' || c.status === 'errored') {
          const tally = tallies.get(c.stage) ?? { problems: 0, warnings: 0 };
          if (onlyWarns(c)) tally.warnings += 1;
          else tally.problems += 1;
          tallies.set(c.stage, tally);
        }
        const tail = c.status === 'passed' ? '' : ` — ${t(c.message ?? '')}`;
        const attempts = c.attempts > 1 ? ` (${c.attempts} attempts)` : '';
        io.info(`  ${MARK[c.status] ?? t(c.status)} ${t(c.id)} [${t(c.severity)}]${attempts}${tail}`);
        break;
      }
      case 'progress':
        // Stages may run side by side: each line names its stage.
        io.info(`  … ${t(e.stage)}: ${t(e.message)}`);
        break;
      case 'stage.end': {
        const s = e.stage;
        io.info(`■ ${t(s.name)}: ${stageStatusText(s.status, tallies.get(s.name))} in ${(s.durationMs / 1000).toFixed(1)}s${s.message ? ` — ${t(s.message)}` : ''}`);
        break;
      }
      case 'action':
        io.info(`⚑ ${t(e.action.kind)} ${t(e.action.name)}: ${t(e.action.status)} — ${t(e.action.message)}`);
        break;
      default:
        break;
    }
  };
}

export function printVerdict(io: CliIo, report: VerdictReport, runDir: string): void {
  const failedAction = report.actions.find((a) => a.kind === 'rollback' && a.status === 'failed');
  if (failedAction) io.info(`!!! ROLLBACK FAILED: ${t(failedAction.message)}`);
  io.info('');
  io.info(`VERDICT: ${report.verdict.toUpperCase()}${report.partial ? ' (partial)' : ''} — ${t(report.target.environment)} ${t(report.target.baseUrl)}`);
  for (const r of report.reasons.slice(0, 10)) io.info(`  ${r.effect}: [${r.severity}] ${t(r.checkId)} — ${t(r.message)}`);
  if (report.reasons.length > 10) io.info(`  … ${report.reasons.length - 10} more reasons in the report`);
  for (const w of report.warnings.slice(0, 5)) io.info(`  warning: ${t(w.checkId)} — ${t(w.message)}`);
  const c = report.counts;
  io.info(`  checks: ${c.passed} passed, ${c.failed} failed, ${c.flaky} flaky, ${c.errored} errored, ${c.skipped} skipped`);
  io.info(`  report: ${t(runDir, 4096)}/index.html`);
}
