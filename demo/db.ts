import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { openPglite } from './pglite-template.ts';
import pg from 'pg';

/** The one query surface the demo uses, over PGlite or a real PostgreSQL. */
export interface Db {
  readonly kind: 'pglite' | 'postgres';
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Multi-statement SQL with no parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  /** PGlite only: the data dir as a gzipped tarball (the DR backup, demo/backup.ts). */
  dumpDataDir?(): Promise<Blob>;
}

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export async function openDb(opts: { databaseUrl?: string; dataDir?: string; env?: NodeJS.ProcessEnv }): Promise<Db> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl);
  const lite = await openPglite(opts.dataDir, opts.env);
  return {
    kind: 'pglite',
    async query<T>(sql: string, params: unknown[] = []) {
      const res = await lite.query<T>(sql, params);
      return res.rows;
    },
    async exec(sql: string) {
      await lite.exec(sql);
    },
    async close() {
      await lite.close();
    },
    dumpDataDir: () => lite.dumpDataDir('gzip'),
  };
}

async function openPostgres(connectionString: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString, max: 5 });
  // Idle client errors (server restart) must not crash the demo; /health reports them.
  pool.on('error', () => undefined);
  await pool.query('select 1');
  return {
    kind: 'postgres',
    async query<T>(sql: string, params: unknown[] = []) {
      const res = await pool.query(sql, params);
      return res.rows as T[];
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async close() {
      await pool.end();
    },
  };
}

const MIGRATION_FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

/**
 * Applies demo/migrations/NNN_name.sql in order, each once, recorded in schema_migrations.
 * The version row is inserted first in the same transaction, so two demos migrating one
 * PostgreSQL at once serialise on its primary key and the loser skips the file.
 */
export async function migrate(db: Db, dir: string = MIGRATIONS_DIR, opts: { skipNewest?: number } = {}): Promise<string[]> {
  const ensure = 'create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())';
  await db.exec(ensure).catch(() => db.exec(ensure)); // a concurrent create can lose once
  const all = (await readdir(dir)).filter((f) => MIGRATION_FILE.test(f)).sort();
  // Fault migration-behind: the deploy never ran the release's newest migration(s).
  const files = all.slice(0, all.length - Math.min(all.length, opts.skipNewest ?? 0));
  const applied: string[] = [];
  for (const file of files) {
    const version = file.replace(/\.sql$/, '');
    const isDone = async (): Promise<boolean> => (await db.query('select 1 from schema_migrations where version = $1', [version])).length > 0;
    if (await isDone()) continue;
    const sql = await readFile(path.join(dir, file), 'utf8');
    try {
      // One simple-protocol message is one implicit transaction: all or nothing, and the
      // connection is never left in an aborted block. version matches MIGRATION_FILE: safe to inline.
      await db.exec(`insert into schema_migrations (version, applied_at) values ('${version}', now());\n${sql}`);
    } catch (err) {
      if (await isDone()) continue; // another process applied it meanwhile
      throw new Error(`migration ${file} failed: ${(err as Error).message}`);
    }
    applied.push(version);
  }
  return applied;
}
