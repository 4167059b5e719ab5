import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { registerDemo } from './commands/demo.ts';
import type { CliIo } from './io.ts';
import { addTargetOptions, configFlags, importOption, type TargetOptions } from './options.ts';
import { finish } from './finish.ts';
import type { RunOptions } from './verify.ts';

export { finish } from './finish.ts';

// Every command loads what it runs when it runs: `pdv --help` loads commander
// and this file, not the stages, the config schema or the reporters.
const verifyCommand = async (...args: Parameters<typeof import('./verify.ts').verifyCommand>) => (await import('./verify.ts')).verifyCommand(...args);

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

  addTargetOptions(program.command('run').argument('<stage...>', 'stages to run (`pdv stages` lists the ones the config knows)').description('on-demand subset for QA; the verdict is marked partial'))
    .option('--grep <pattern>', 'narrow Playwright checks (e.g. @render)')
    .option('--shard <i/n>', 'run shard i of n (Playwright --shard); combine with pdv merge')
    .option('--segment <i/n>', 'run segment i of n of the load schedule; combine with pdv merge')
    .option('--start-at <time>', 'ISO time (with a zone) at which every segment starts its schedule')
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
      const { loadConfig } = await import('../config/load.ts');
      const { mergeRuns } = await import('../jobs/merge.ts');
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
      const { rerender } = await import('../jobs/replay.ts');
      const { report, runDir } = await rerender(dir, process.env);
      finish(io, report, runDir);
    });

  addTargetOptions(program.command('stages').description('the stages this config knows (built-in and plugins): which the default plan runs, what each checks'))
    .action(async (o: TargetOptions) => {
      const { loadConfig } = await import('../config/load.ts');
      const { planStages, registryOf } = await import('../jobs/plan.ts');
      const { stageRegistry } = await import('../stages/index.ts');
      const config = await loadConfig({ ...configFlags(o), ...(o.baseUrl === undefined ? { baseUrl: 'http://127.0.0.1' } : {}) });
      const planned = new Set(planStages(config).map((p) => p.name));
      const builtin = new Set(stageRegistry());
      const rows = registryOf(config).map((st) => ({ name: st.name, planned: planned.has(st.name), plugin: !builtin.has(st), description: st.description, ...(st.docs ? { docs: st.docs } : {}) }));
      if (io.json) io.out(JSON.stringify(rows, null, 2));
      else for (const r of rows) io.out(`${r.planned ? '*' : ' '} ${r.name.padEnd(10)} ${r.description}${r.plugin ? ' (plugin)' : ''}${r.docs ? ` — ${r.docs}` : ''}`);
    });

  registerDemo(program, io, signal);
  return program;
}

/** Add the subcommands contributed by each area (load, soak, dr …). */
export async function addAreaCommands(program: Command, io: CliIo): Promise<void> {
  for (const load of COMMANDS) (await load())(program, io);
}

export { CommanderError };
