import type { RDSClient } from '@aws-sdk/client-rds';
import { UsageError } from '../core/errors.ts';
import type { DrConfig } from './config.ts';
import { createPgliteDriver } from './drivers/pglite.ts';
import { createPostgresDriver } from './drivers/postgres.ts';
import { resolveFrom } from './locate.ts';
import type { RestoreDriver } from './types.ts';
import type { Environ } from '../core/types.ts';

export type { RestoreDriver, BackupManifest, BackupRef, RestoredCopy, ScratchRef, Queryable } from './types.ts';

export interface DriverEnv {
  rootDir: string;
  runtime: { databaseUrl?: string; awsRegion?: string };
  /** The run's environment variables (read once by the config loader): the URLs and passwords `…Env` names. */
  env: Environ;
  /** Tests pass a client wired to aws-sdk-client-mock. */
  rdsClient?: RDSClient;
}

/** The driver stages.dr.driver names, built from the config (bad config → UsageError naming the field). */
export async function createDriver(cfg: DrConfig, de: DriverEnv): Promise<RestoreDriver> {
  const { env } = de;
  const where = (field: string) => `config: stages.dr.${field}`;
  switch (cfg.driver) {
    case 'pglite':
      if (!cfg.source.path && !cfg.source.folder) throw new UsageError('set source.path or source.folder', where('source'));
      return createPgliteDriver({
        source: cfg.source,
        rootDir: de.rootDir,
        ...(cfg.scratchDir ? { scratchDir: resolveFrom(de.rootDir, cfg.scratchDir) } : {}),
      });
    case 'postgres': {
      if (!cfg.source.path && !cfg.source.folder) throw new UsageError('set source.path or source.folder', where('source'));
      const adminUrl = cfg.databaseUrlEnv ? env[cfg.databaseUrlEnv] : de.runtime.databaseUrl;
      if (!adminUrl) throw new UsageError(`the postgres driver needs a server for scratch databases: set ${cfg.databaseUrlEnv ?? 'DATABASE_URL'}`, where('databaseUrlEnv'));
      return createPostgresDriver({
        source: cfg.source,
        rootDir: de.rootDir,
        adminUrl,
        privileges: cfg.privileges,
        roles: cfg.roles,
        ...(cfg.rolesSql ? { rolesSql: resolveFrom(de.rootDir, cfg.rolesSql) } : {}),
        ...(cfg.pgBin ? { pgBin: cfg.pgBin } : {}),
        env,
      });
    }
    case 'rds': {
      if (!cfg.source.instance) throw new UsageError('set source.instance (the DB instance identifier)', where('source.instance'));
      const { createRdsDriver } = await import('./drivers/rds.ts');
      const region = cfg.rds.region ?? de.runtime.awsRegion;
      const client = de.rdsClient ?? new (await import('@aws-sdk/client-rds')).RDSClient(region ? { region } : {});
      return createRdsDriver({
        client,
        instance: cfg.source.instance,
        mode: cfg.rds.mode,
        username: cfg.rds.username,
        password: env[cfg.rds.passwordEnv],
        database: cfg.rds.database,
        ssl: cfg.rds.ssl,
        ...(cfg.rds.caFile ? { caFile: resolveFrom(de.rootDir, cfg.rds.caFile) } : {}),
        ...(cfg.rds.instanceClass ? { instanceClass: cfg.rds.instanceClass } : {}),
        ...(cfg.rds.subnetGroup ? { subnetGroup: cfg.rds.subnetGroup } : {}),
        securityGroups: cfg.rds.securityGroups,
        pollIntervalMs: cfg.rds.pollInterval,
        availableTimeoutMs: cfg.rds.availableTimeout,
        deleteTimeoutMs: cfg.rds.deleteTimeout,
      });
    }
    default:
      throw new UsageError('set driver to "postgres", "rds" or "pglite"', where('driver'));
  }
}
