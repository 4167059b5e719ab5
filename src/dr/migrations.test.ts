import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { migrationVersion } from './manifest.ts';
import { MIGRATION_PRESETS, migrationSource, type MigrationTool } from './migrations.ts';

// Each tool's history table as the tool itself creates it (columns from its
// docs/source), with an applied, a newer failed or rolled-back run where the
// tool records those: the preset reads the newest applied version.

const TABLES: Record<MigrationTool, { ddl: string; rows: string; newest: string }> = {
  rails: { ddl: 'CREATE TABLE schema_migrations (version varchar PRIMARY KEY)', rows: `('20240101000000'), ('20240301000000')`, newest: '20240301000000' },
  'golang-migrate': { ddl: 'CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)', rows: `(9, false), (10, false)`, newest: '10' },
  knex: {
    ddl: 'CREATE TABLE knex_migrations (id serial PRIMARY KEY, name varchar(255), batch integer, migration_time timestamptz)',
    rows: `(1, '20240101_init.js', 1, now()), (2, '20240202_users.js', 2, now())`,
    newest: '20240202_users.js',
  },
  'node-pg-migrate': { ddl: 'CREATE TABLE pgmigrations (id serial PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL)', rows: `(1, '1700000000000_init', now()), (2, '1700000000001_users', now())`, newest: '1700000000001_users' },
  sequelize: { ddl: 'CREATE TABLE "SequelizeMeta" (name varchar(255) PRIMARY KEY)', rows: `('20240101000000-init.js'), ('20240102000000-users.js')`, newest: '20240102000000-users.js' },
  typeorm: { ddl: 'CREATE TABLE migrations (id serial PRIMARY KEY, "timestamp" bigint NOT NULL, name varchar NOT NULL)', rows: `(1, 1700000000000, 'Init1700000000000'), (2, 1700000000001, 'Users1700000000001')`, newest: '1700000000001' },
  prisma: {
    ddl: 'CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0)',
    rows: `('a', 'x', now(), '20240101000000_init', NULL, NULL), ('b', 'x', now(), '20240201000000_users', NULL, NULL), ('c', 'x', NULL, '20240301000000_failed', 'error', NULL), ('d', 'x', now(), '20240401000000_undone', NULL, now())`,
    newest: '20240201000000_users',
  },
  flyway: {
    ddl: 'CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, success boolean NOT NULL)',
    rows: `(1, '1', 'init', true), (2, '1.10', 'users', true), (3, NULL, 'views', true), (4, '1.11', 'broken', false)`,
    newest: '1.10',
  },
  alembic: { ddl: 'CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)', rows: `('ae1027a6acf')`, newest: 'ae1027a6acf' },
};

describe('migration tool presets', () => {
  it.each(Object.keys(MIGRATION_PRESETS) as MigrationTool[])('%s: reads the newest applied version', async (tool) => {
    const t = TABLES[tool];
    const db = new PGlite();
    try {
      await db.query(t.ddl);
      const src = migrationSource({ migrationsTool: tool });
      await db.query(`INSERT INTO ${src.table === 'SequelizeMeta' ? '"SequelizeMeta"' : src.table} VALUES ${t.rows}`);
      expect(await migrationVersion(db, src)).toBe(t.newest);
    } finally {
      await db.close();
    }
  });

  it('table and column override the preset; a table of your own drops the preset filter', () => {
    expect(migrationSource({})).toEqual({ table: 'schema_migrations', column: 'version' });
    expect(migrationSource({ migrationsTool: 'flyway' })).toEqual({ table: 'flyway_schema_history', column: 'version', applied: 'success' });
    expect(migrationSource({ migrationsTool: 'flyway', migrationsTable: 'app.flyway_schema_history' })).toEqual({ table: 'app.flyway_schema_history', column: 'version' });
    expect(migrationSource({ migrationsTable: 'db_versions', migrationsColumn: 'rev' })).toEqual({ table: 'db_versions', column: 'rev' });
  });
});
