import type { Command } from 'commander';
import { logText } from '../../core/untrusted.ts';
const loadConfigModule = () => import('../../config/load.ts');
import { UsageError } from '../../core/errors.ts';
import type { VerdictReport } from '../../core/types.ts';
const loadDecide = () => import('../../jobs/decide.ts');
import type { CliIo } from '../io.ts';
import { finish } from '../finish.ts';

// `pdv decide` and `pdv signoff`: a person closes the loop on a held run
// (docs/decisions.md). The exit code follows the (decided) verdict.

interface DecideOptions {
  stand?: boolean;
  rollback?: boolean;
  by?: string;
  reason?: string;
  override?: boolean;
  config?: string;
  changeTicket?: string;
  json?: boolean;
}

interface SignoffOptions {
  by?: string;
  note?: string;
  config?: string;
  changeTicket?: string;
  json?: boolean;
}

async function runConfig(dir: string, explicit: string | undefined) {
  const { readRun, runConfigFlags } = await loadDecide();
  const { loadConfig, collectSecrets } = await loadConfigModule();
  const run = readRun(dir);
  const config = await loadConfig(runConfigFlags(run.start, explicit));
  return { config, secrets: collectSecrets(config) };
}

function printHuman(io: CliIo, report: VerdictReport): void {
  const d = report.decision;
  if (d) io.info(`DECISION: ${d.verdict.toUpperCase()} by ${d.by}${d.override ? ' (OVERRIDE)' : ''} — ${d.reason}; pdv's verdict: ${d.machineVerdict}`);
  const p = report.promotion;
  if (p) io.info(`PROMOTION: ${p.status}${p.blocking.length ? ` — ${p.blocking.map((b) => b.title).join('; ')}` : ''}`);
}

export function register(program: Command, io: CliIo): void {
  program
    .command('decide')
    .argument('<run-dir>', 'a run folder (e.g. reports/latest)')
    .option('--stand', 'the deploy stands')
    .option('--rollback', 'roll the deploy back (the configured rollback, at most once per deploy)')
    .option('--by <name>', 'who decides (in GitHub Actions: GITHUB_ACTOR)')
    .option('--reason <text>', 'why (kept in the audit trail)')
    .option('--override', 'decide a run that is not on hold, or reverse an earlier decision', false)
    .option('--change-ticket <id>', 'change-management ticket (default $PDV_CHANGE_TICKET)')
    .option('--config <file>', "config file (default: the run's, else pdv.config.ts)")
    .option('--json', 'machine output on stdout', false)
    .description('record a person’s decision on a held run, re-render the reports, and roll back if so decided')
    .action(async (dir: string, o: DecideOptions) => {
      if (Boolean(o.stand) === Boolean(o.rollback)) throw new UsageError('choose exactly one of --stand or --rollback', 'decide');
      if (!o.reason?.trim()) throw new UsageError('say why (the reason is the audit trail)', '--reason');
      const { config, secrets } = await runConfig(dir, o.config);
      const changeTicket = o.changeTicket ?? process.env.PDV_CHANGE_TICKET;
      const { report, runDir, warnings } = await (await loadDecide()).decideRun({
        dir,
        config,
        secrets,
        by: o.by,
        reason: o.reason,
        verdict: o.rollback ? 'rollback' : 'stand',
        override: Boolean(o.override),
        ...(changeTicket ? { changeTicket } : {}),
      });
      for (const w of warnings) io.error(`pdv: warning: ${logText(w)}`);
      finish(io, report, runDir);
      printHuman(io, report);
    });

  program
    .command('signoff')
    .argument('<run-dir>', 'a run folder (e.g. reports/latest)')
    .argument('<what>', 'what is signed off (e.g. uat)')
    .option('--by <name>', 'who signs off (in GitHub Actions: GITHUB_ACTOR)')
    .option('--note <text>', 'a note kept with the sign-off')
    .option('--change-ticket <id>', 'change-management ticket (default $PDV_CHANGE_TICKET)')
    .option('--config <file>', "config file (default: the run's, else pdv.config.ts)")
    .option('--json', 'machine output on stdout', false)
    .description('record a sign-off (e.g. UAT by the product team); the verdict is recomputed from the log')
    .action(async (dir: string, what: string, o: SignoffOptions) => {
      const { config, secrets } = await runConfig(dir, o.config);
      const changeTicket = o.changeTicket ?? process.env.PDV_CHANGE_TICKET;
      const { report, runDir, warnings } = await (await loadDecide()).signoffRun({
        dir,
        config,
        secrets,
        by: o.by,
        what,
        ...(o.note ? { note: o.note } : {}),
        ...(changeTicket ? { changeTicket } : {}),
      });
      for (const w of warnings) io.error(`pdv: warning: ${logText(w)}`);
      finish(io, report, runDir);
      printHuman(io, report);
    });
}
