import { resolve } from 'node:path';
import type { Command } from 'commander';
const loadConfigModule = () => import('../../config/load.ts');
import { parseDuration } from '../../core/duration.ts';
import { EvidenceError, UsageError, errorMessage } from '../../core/errors.ts';
const loadCleanup = () => import('../../dr/cleanup.ts');
const loadManifest = () => import('../../dr/take-manifest.ts');
const loadMigrations = () => import('../../dr/migrations.ts');
import type { CliIo } from '../io.ts';

// `pdv dr cleanup`: remove scratch databases / instances / folders that
// earlier DR runs left behind (found by their pdv run-id tag).
// `pdv dr manifest <dump>`: write the manifest a backup job stores beside its dump.

interface ManifestOptions {
  out?: string;
  config?: string;
  env?: string;
  databaseUrlEnv?: string;
  createdAt?: string;
  json?: boolean;
}

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
          io.info(`${what}: ${i.name}${i.roles?.length ? ` and role(s) ${i.roles.join(', ')}` : ''} (run ${i.runId}${i.createdAt ? `, created ${i.createdAt}` : ''})`);
        }
      }
      io.setExitCode(report.items.some((i) => !report.dryRun && !i.removed) ? 1 : 0);
    });
  dr.command('manifest <dump>')
    .description('restore a backup into a scratch copy and write its manifest (row counts, checksums, migration version, size, sha256) beside it')
    .option('--out <file>', 'where to write it (default <dump>.manifest.json)')
    .option('--config <file>', 'config file: stages.dr gives tables, checksums, migrations, pgBin and the scratch server')
    .option('--env <name>', 'environment (default $ENVIRONMENT, else staging)')
    .option('--database-url-env <name>', 'env var with the server for the scratch database (default stages.dr.databaseUrlEnv, else DATABASE_URL)')
    .option('--created-at <iso>', 'when the backup was taken (default: the dump file\'s modification time)')
    .option('--json', 'print the manifest on stdout', false)
    .action(async (dump: string, o: ManifestOptions) => {
      const createdAt = o.createdAt === undefined ? undefined : new Date(o.createdAt);
      if (createdAt && Number.isNaN(createdAt.getTime())) throw new UsageError(`"${o.createdAt}" is not an ISO 8601 time`, '--created-at');
      const config = await (await loadConfigModule()).loadConfig({ ...(o.config ? { config: o.config } : {}), ...(o.env ? { env: o.env } : {}), baseUrl: 'http://dr-manifest.invalid' });
      const dr = config.stages.dr;
      const urlEnv = o.databaseUrlEnv ?? dr.databaseUrlEnv;
      const databaseUrl = urlEnv ? config.env[urlEnv] : config.runtime.databaseUrl;
      const { writeBackupManifest } = await loadManifest();
      try {
        const written = await writeBackupManifest(resolve(dump), {
          env: config.env,
          ...(o.out ? { out: resolve(o.out) } : {}),
          ...(databaseUrl ? { databaseUrl } : {}),
          ...(dr.pgBin ? { pgBin: dr.pgBin } : {}),
          tables: dr.criticalTables,
          checksums: dr.checksums,
          migrations: (await loadMigrations()).migrationSource(dr),
          privileges: dr.privileges,
          roles: dr.roles,
          ...(createdAt ? { createdAt } : {}),
        });
        if (o.json || io.json) io.out(written.text.trimEnd());
        else io.info(`wrote ${written.path} (${Object.keys(written.manifest.rowCounts).length} tables, migration ${written.manifest.migrationVersion ?? 'none'})`);
      } catch (err) {
        if (err instanceof UsageError) throw err;
        io.error(`pdv dr manifest: ${errorMessage(err)}`);
        // 2: the harness could not measure (scratch server out of reach); 1: the dump itself did not restore.
        io.setExitCode(err instanceof EvidenceError ? 2 : 1);
      }
    });
}
