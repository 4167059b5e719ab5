import { z } from 'zod';
import { quoteIdent } from './naming.ts';

// Where the restored copy's migration version is read: the history table of
// the app's migration tool. Each preset is the tool's default table and the
// column holding the version (checked against the tool's own docs/source);
// `applied` keeps rows the tool records for failed or rolled-back runs out.

export interface MigrationSource {
  table: string;
  column: string;
  /** SQL condition for rows that count as applied (a preset's, never user input). */
  applied?: string;
}

export const MIGRATION_PRESETS = {
  /** Rails (ActiveRecord), also golang-migrate and Ecto: the version, a timestamp or number. */
  rails: { table: 'schema_migrations', column: 'version' },
  'golang-migrate': { table: 'schema_migrations', column: 'version' },
  /** knex: the migration file name ("20240101120000_add_users.js"). */
  knex: { table: 'knex_migrations', column: 'name' },
  /** node-pg-migrate: the migration name ("1700000000000_add-users"). */
  'node-pg-migrate': { table: 'pgmigrations', column: 'name' },
  /** sequelize-cli (umzug's SequelizeStorage): the file name. */
  sequelize: { table: 'SequelizeMeta', column: 'name' },
  /** TypeORM: the timestamp part of the migration class name. */
  typeorm: { table: 'migrations', column: 'timestamp' },
  /** Prisma Migrate: the migration folder name; unfinished or rolled-back rows do not count. */
  prisma: { table: '_prisma_migrations', column: 'migration_name', applied: 'finished_at IS NOT NULL AND rolled_back_at IS NULL' },
  /** Flyway: the version ("1.10"); failed runs do not count, repeatable ones have no version. */
  flyway: { table: 'flyway_schema_history', column: 'version', applied: 'success' },
  /** Alembic: the current head revision (an id, not ordered: set expectedMigration to the revision). */
  alembic: { table: 'alembic_version', column: 'version_num' },
} as const satisfies Record<string, MigrationSource>;

export type MigrationTool = keyof typeof MIGRATION_PRESETS;
export const migrationTool = z.enum(Object.keys(MIGRATION_PRESETS) as [MigrationTool, ...MigrationTool[]]);

/** Without a tool or table: Rails' `schema_migrations.version`, pdv's default since the first release. */
export const DEFAULT_MIGRATIONS: MigrationSource = MIGRATION_PRESETS.rails;

/** The configured source: the tool's preset, with `table`/`column` overriding it. */
export function migrationSource(cfg: { migrationsTool?: MigrationTool | undefined; migrationsTable?: string | undefined; migrationsColumn?: string | undefined }): MigrationSource {
  const base: MigrationSource = cfg.migrationsTool ? MIGRATION_PRESETS[cfg.migrationsTool] : DEFAULT_MIGRATIONS;
  // A table of the user's own keeps no preset filter: its columns are unknown.
  const sameTable = !cfg.migrationsTable || cfg.migrationsTable === base.table;
  return {
    table: cfg.migrationsTable ?? base.table,
    column: cfg.migrationsColumn ?? base.column,
    ...(base.applied && sameTable && !cfg.migrationsColumn ? { applied: base.applied } : {}),
  };
}

/** Every applied version, as text (NULL versions — e.g. Flyway's repeatable runs — left out). */
export function migrationQuery(src: MigrationSource): string {
  const col = quoteIdent(src.column);
  return `SELECT ${col}::text AS version FROM ${quoteIdent(src.table)} WHERE ${col} IS NOT NULL${src.applied ? ` AND (${src.applied})` : ''}`;
}

export function describeSource(src: MigrationSource): string {
  return `${src.table}.${src.column}`;
}
