import type { Command } from 'commander';
import type { CliIo } from '../io.ts';

// `pdv init [--base-url URL] [--yes] [--force]`: scaffold pdv in the current repo.

type InitOptions = Omit<import('../init/run.ts').RunInitOptions, 'cwd'>;

export function register(program: Command, io: CliIo): void {
  program
    .command('init')
    .description('scaffold pdv in this repo: pdv.config.ts, a smoke spec, a load scenario, a CI workflow')
    .option('--base-url <url>', 'the environment to verify; probed (a few bounded GETs) to pre-fill health, version and security')
    .option('--env <name>', 'environment name', 'staging')
    .option('--dir <folder>', 'folder for the specs and the scenario', 'pdv')
    .option('-y, --yes', 'take the defaults, ask nothing (CI)', false)
    .option('--force', 'overwrite files that already exist', false)
    .option('--no-probe', 'do not contact --base-url')
    .action(async (o: InitOptions) => {
      const { runInit } = await import('../init/run.ts');
      await runInit(io, { ...o, cwd: process.cwd() });
    });
}
