import type { Command } from 'commander';
const loadConfigModule = () => import('../../config/load.ts');
import { parseDuration } from '../../core/duration.ts';
import { UsageError } from '../../core/errors.ts';
const loadCleanup = () => import('../../dr/cleanup.ts');
import type { CliIo } from '../io.ts';

// `pdv dr cleanup`: remove scratch databases / instances / folders that
// earlier DR runs left behind (found by their pdv run-id tag).

interface CleanupOptions {
  config?: string;
  env?: string;
  dryRun?: boolean;
  olderThan?: string;
  json?: boolean;
}

export function register(program: Command, io: CliIo): void {
  const dr = program.command('dr').description('disaster-recovery helpers');
  dr.command('cleanup')
    .description('remove scratch copies left by earlier DR runs (found by their pdv:run-id tag)')
    .option('--config <file>', 'config file')
    .option('--env <name>', 'environment (default $ENVIRONMENT, else staging)')
    .option('--dry-run', 'list what would be removed, remove nothing', false)
    .option('--older-than <duration>', 'only copies created at least this long ago (default: the DR stage timeout, so a run in progress keeps its copy; 0 removes all)')
    .option('--json', 'machine output on stdout', false)
    .action(async (o: CleanupOptions) => {
      const olderThanMs = o.olderThan === undefined ? undefined : parseDuration(o.olderThan);
      if (o.olderThan !== undefined && olderThanMs === undefined) throw new UsageError(`"${o.olderThan}" is not a duration (e.g. 30m, 2h)`, '--older-than');
      // Cleanup needs no target URL; a placeholder keeps the config loader's checks happy.
      const config = await (await loadConfigModule()).loadConfig({ ...(o.config ? { config: o.config } : {}), ...(o.env ? { env: o.env } : {}), baseUrl: 'http://dr-cleanup.invalid' });
      const report = await (await loadCleanup()).cleanupFromConfig(config, { dryRun: Boolean(o.dryRun), ...(olderThanMs !== undefined ? { olderThanMs } : {}) });
      if (o.json || io.json) {
        io.out(JSON.stringify(report, null, 2));
      } else if (report.items.length === 0) {
        io.info(`dr cleanup (${report.driver}): no scratch copies found`);
      } else {
        for (const i of report.items) {
          const what = report.dryRun ? 'would remove' : i.removed ? 'removed' : `FAILED to remove (${i.error ?? 'unknown error'})`;
          io.info(`${what}: ${i.name} (run ${i.runId}${i.createdAt ? `, created ${i.createdAt}` : ''})`);
        }
      }
      io.setExitCode(report.items.some((i) => !report.dryRun && !i.removed) ? 1 : 0);
    });
}
