import type { Environ } from '../../target/settings.ts';
import { existsSync } from 'node:fs';
import { UsageError } from '../../core/errors.ts';
import type { PlanContext } from '../stage.ts';
import { resolveFrom } from '../../dr/locate.ts';
import type { DrConfig } from '../../dr/config.ts';

// What the DR stage needs is known before the first request: the scratch
// server, the live database, the passwords. A missing one is exit 3 naming
// the field — never a check that fails (→ rollback) half-way through a run.

type Lookup = (name: string) => string | undefined;

/** The live database compareTo 'live' counts against: liveDatabaseUrlEnv, else the runbook's DATABASE_URL. */
export function liveDatabaseUrl(cfg: Pick<DrConfig, 'liveDatabaseUrlEnv'>, runtime: { databaseUrl?: string }, lookup: Lookup): { name: string; url: string | undefined } {
  if (cfg.liveDatabaseUrlEnv) return { name: cfg.liveDatabaseUrlEnv, url: lookup(cfg.liveDatabaseUrlEnv) || undefined };
  return { name: 'DATABASE_URL', url: runtime.databaseUrl || undefined };
}

export async function planDr(ctx: PlanContext<DrConfig>, env: Environ = ctx.settings.env): Promise<void> {
  const cfg: DrConfig = ctx.config;
  if (!cfg.driver) return; // reported as skipped: the policy holds a required stage without evidence
  const file = ctx.settings.file ?? 'config';
  const where = (field: string) => `${file}: stages.dr.${field}`;
  const lookup: Lookup = (name) => ctx.secrets.get(name) ?? env[name];

  if ((cfg.driver === 'postgres' || cfg.driver === 'pglite') && !cfg.source.path && !cfg.source.folder) {
    throw new UsageError('set source.path or source.folder (where the backups are)', where('source'));
  }
  if (cfg.driver === 'postgres') {
    const admin = cfg.databaseUrlEnv ? lookup(cfg.databaseUrlEnv) : ctx.settings.runtime.databaseUrl;
    if (!admin) throw new UsageError(`the postgres driver needs a server for scratch databases: set ${cfg.databaseUrlEnv ?? 'DATABASE_URL'} (or databaseUrlEnv)`, where('databaseUrlEnv'));
  }
  if (cfg.driver === 'rds') {
    if (!cfg.source.instance) throw new UsageError('set source.instance (the DB instance identifier)', where('source.instance'));
    if (!lookup(cfg.rds.passwordEnv)) throw new UsageError(`the restored instance is validated over its master user: ${cfg.rds.passwordEnv} is not set`, where('rds.passwordEnv'));
  }
  if (cfg.compareTo === 'live') {
    const live = liveDatabaseUrl(cfg, ctx.settings.runtime, lookup);
    if (!live.url) {
      throw new UsageError(`compareTo "live" counts rows in the live database: ${live.name} is not set (set it, name another variable in liveDatabaseUrlEnv, or use compareTo: "manifest")`, where(cfg.liveDatabaseUrlEnv ? 'liveDatabaseUrlEnv' : 'compareTo'));
    }
  }
  if (cfg.migrationsDir && !existsSync(resolveFrom(ctx.settings.rootDir, cfg.migrationsDir))) {
    throw new UsageError(`folder ${resolveFrom(ctx.settings.rootDir, cfg.migrationsDir)} does not exist`, where('migrationsDir'));
  }
  if (cfg.rolesSql && !existsSync(resolveFrom(ctx.settings.rootDir, cfg.rolesSql))) {
    throw new UsageError(`file ${resolveFrom(ctx.settings.rootDir, cfg.rolesSql)} does not exist`, where('rolesSql'));
  }
  if (cfg.rolesSql && cfg.driver !== 'postgres') throw new UsageError('rolesSql applies to the postgres driver only (an RDS restore keeps its roles and grants)', where('rolesSql'));
  const role = cfg.app?.smoke === 'probes' ? cfg.app.role : undefined;
  // Its secrets are checked with every other role's (planAuth); here only that it exists.
  if (role && !(role in ctx.settings.environment.credentials)) throw new UsageError(`role "${role}" is not in environments.${ctx.settings.environmentName}.credentials`, where('app.role'));
}
