import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { collectSecrets, loadConfig } from '../config/load.ts';
import { exitCodeFor } from '../core/verdict-exit.ts';
import type { VerdictReport } from '../core/types.ts';
import { mergeRuns } from '../jobs/merge.ts';
import { checkPlan, planStages } from '../jobs/plan.ts';
import { rerender } from '../jobs/replay.ts';
import { reapLeftovers } from '../core/reaper.ts';
import { caFiles, readCaFiles, trustCa } from '../http/tls.ts';
import { refuseReusedOut, runVerification } from '../jobs/verify.ts';
import { COMMANDS } from './commands/index.ts';
import { registerDemo } from './commands/demo.ts';
import type { CliIo } from './io.ts';
import { addTargetOptions, configFlags, importOption, parseFraction, type TargetOptions } from './options.ts';
import { printVerdict, progressPrinter } from './progress.ts';
import { prepareRun } from './prepare.ts';

interface RunOptions extends TargetOptions {
  grep?: string;
  shard?: string;
  segment?: string;
  import?: string[];
  dryRun?: boolean;
  changeTicket?: string;
}

/** Print the verdict (human or --json) and set the exit code from it. */
export function finish(io: CliIo, report: VerdictReport, runDir: string): void {
  if (io.json) io.out(JSON.stringify({ runDir, ...report }, null, 2));
  printVerdict(io, report, runDir);
  io.setExitCode(exitCodeFor(report.verdict));
}

/** Shared body of `verify` and `run`: resolve, plan, verify, report. */
export async function verifyCommand(io: CliIo, o: RunOptions, requested: string[] | undefined, signal: AbortSignal, command: string): Promise<void> {
  const shard = o.shard ? parseFraction(o.shard, '--shard') : undefined;
  const segment = o.segment ? parseFraction(o.segment, '--segment') : undefined;
  const config = await loadConfig(configFlags(o));
  const stages = planStages(config, requested);
  const imports = [...(o.import ?? [])];
  const secrets = collectSecrets(config);
  // A reused --out is refused before the lock or anything else is written.
  if (o.out) refuseReusedOut(resolve(o.out));
  await checkPlan({ config, stages, secrets, imports, ...(o.grep ? { grep: o.grep } : {}), ...(shard ? { shard } : {}), ...(segment ? { segment } : {}) });
  // A private CA of the stand is trusted by every plain HTTP exchange of the run.
  if (config.environment.trustedCa !== undefined) trustCa(readCaFiles(caFiles(config.environment.trustedCa, config.rootDir), 'environments.trustedCa'));
  // What an earlier pdv killed with -9 left behind (browsers, Prometheus, restored apps, temp folders).
  const reaped = await reapLeftovers();
  for (const line of reaped) io.error(`pdv: reaped ${line}`);
  const prepared = await prepareRun({ config, stages, imports, dryRun: Boolean(o.dryRun), verify: requested === undefined, signal, secrets });
  try {
    const { report, runDir, warnings } = await runVerification({
      config,
      stages: prepared.stages,
      preChecks: prepared.preChecks,
      reaped,
      command,
      partial: requested !== undefined,
      secrets,
      ...(o.out ? { out: o.out } : {}),
      ...(o.grep ? { grep: o.grep } : {}),
      ...(shard ? { shard } : {}),
      ...(segment ? { segment } : {}),
      imports,
      signal,
      onEvent: progressPrinter(io),
      ...((o.changeTicket ?? process.env.PDV_CHANGE_TICKET) ? { changeTicket: o.changeTicket ?? process.env.PDV_CHANGE_TICKET } : {}),
      ...(prepared.afterVerdict ? { afterVerdict: prepared.afterVerdict } : {}),
    });
    for (const w of warnings) io.error(`pdv: warning: ${w}`);
    finish(io, report, runDir);
  } finally {
    await prepared.release();
  }
}

export function buildProgram(io: CliIo, signal: AbortSignal = new AbortController().signal): Command {
  const program = new Command('pdv')
    .description('Post-deployment verification: smoke, UAT, load, security, DR and metrics checks → one verdict (stand / rollback / hold).')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.error(s.trimEnd()) });

  addTargetOptions(program.command('verify').description('full post-deploy run: every configured stage, the verdict, reports and the rollback action'))
    .addOption(importOption())
    .option('--dry-run', 'show what the rollback and notifications would do, without doing it', false)
    .option('--change-ticket <id>', 'change-management ticket for the checklist (default $PDV_CHANGE_TICKET)')
    .action(async (o: RunOptions) => verifyCommand(io, o, undefined, signal, 'verify'));

  addTargetOptions(program.command('run').argument('<stage...>', 'stages to run (smoke, uat, load, security, dr, metrics)').description('on-demand subset for QA; the verdict is marked partial'))
    .option('--grep <pattern>', 'narrow Playwright checks (e.g. @render)')
    .option('--shard <i/n>', 'run shard i of n (Playwright --shard); combine with pdv merge')
    .option('--segment <i/n>', 'run segment i of n of the load schedule; combine with pdv merge')
    .addOption(importOption())
    .action(async (stages: string[], o: RunOptions) => verifyCommand(io, { ...o, dryRun: true }, stages, signal, `run ${stages.join(' ')}`));

  program
    .command('merge')
    .argument('<dir...>', 'run folders of shards, segments or machines')
    .option('--out <dir>', 'merged run folder')
    .option('--config <file>', 'config file (for the reports folder)')
    .option('--json', 'machine output on stdout', false)
    .description('combine results from shards into one verdict, exactly')
    .action(async (dirs: string[], o: { out?: string; config?: string; json?: boolean }) => {
      const config = await loadConfig({ ...(o.config ? { config: o.config } : {}), baseUrl: 'http://merge.invalid' });
      const { report, runDir } = await mergeRuns({ dirs, config, ...(o.out ? { out: o.out } : {}) });
      finish(io, report, runDir);
    });

  program
    .command('report')
    .argument('<dir>', 'a run folder')
    .option('--json', 'machine output on stdout', false)
    .description("re-render the human reports from a run's stored results")
    .action(async (dir: string) => {
      const { report, runDir } = await rerender(dir);
      finish(io, report, runDir);
    });

  registerDemo(program, io, signal);
  return program;
}

/** Add the subcommands contributed by each area (load, soak, dr …). */
export async function addAreaCommands(program: Command, io: CliIo): Promise<void> {
  for (const load of COMMANDS) (await load())(program, io);
}

export { CommanderError };
