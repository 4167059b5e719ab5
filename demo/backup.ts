import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { execFileCapture, libpqEnv, pgBinary } from '../src/dr/exec.ts';
import { manifestPathFor, takeManifestFacts } from '../src/dr/manifest.ts';
import type { BackupManifest, Queryable } from '../src/dr/types.ts';
import { drConfigSchema, type DrConfig, type DrConfigInput } from '../src/dr/config.ts';
import type { Db } from './db.ts';
import type { FaultSet } from './faults.ts';

// The demo's "nightly backup", taken once at start (after migrations and
// seed, before the worker runs) into --backup-dir, with the manifest pdv's DR
// stage checks the restored copy against. The DR faults change that backup:
//   corrupt-backup      the archive is cut short (the manifest keeps the full size/hash)
//   stale-backup        the backup is dated STALE_AGE_MS ago (older than the RPO target)
//   migration-mismatch  the backed-up schema is one migration behind the release
//   missing-rows        the backup lost the newest row of `projects` (manifest: live counts)

export const STALE_AGE_MS = 3 * 86_400_000;
export interface DemoBackup {
  archive: string;
  manifest: BackupManifest;
}

/** The demo's Db as the query shape src/dr expects. */
function asQueryable(db: Db): Queryable {
  return { query: async <T,>(sql: string, params?: unknown[]) => ({ rows: await db.query<T>(sql, params) }) };
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** The damage a DR fault does to a copy of the data before it is archived. */
async function damage(copy: Queryable, faults: FaultSet): Promise<void> {
  if (faults.has('missing-rows')) {
    await copy.query('DELETE FROM projects WHERE id = (SELECT max(id) FROM projects)');
  }
  if (faults.has('migration-mismatch')) {
    await copy.query('DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)');
  }
}

async function pgliteArchive(db: Db, faults: FaultSet): Promise<Uint8Array> {
  if (!db.dumpDataDir) throw new Error('this database cannot dump its data dir');
  const blob = await db.dumpDataDir();
  if (!faults.has('missing-rows') && !faults.has('migration-mismatch')) return new Uint8Array(await blob.arrayBuffer());
  // Damage a throwaway in-memory copy; the live database stays whole.
  const copy = await PGlite.create({ loadDataDir: blob });
  try {
    await damage(copy, faults);
    return new Uint8Array(await (await copy.dumpDataDir('gzip')).arrayBuffer());
  } finally {
    await copy.close();
  }
}

async function pgArchive(databaseUrl: string, file: string, faults: FaultSet): Promise<void> {
  const env = { ...process.env, ...libpqEnv(databaseUrl) };
  const dump = await execFileCapture(pgBinary('pg_dump'), ['--format=custom', '--no-owner', '--file', file], { env });
  if (dump.code !== 0) throw new Error(`pg_dump failed: ${dump.stderr.trim()}`);
  if (!faults.has('missing-rows') && !faults.has('migration-mismatch')) return;
  // Damage a throwaway database restored from the dump, then dump that instead.
  const scratch = `demo_backup_${process.pid}_${Date.now()}`;
  const admin = { ...env, PGDATABASE: env.PGDATABASE ?? 'postgres' };
  const psql = (sql: string, database?: string) =>
    execFileCapture(pgBinary('psql'), ['-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { env: database ? { ...admin, PGDATABASE: database } : admin });
  const created = await psql(`CREATE DATABASE ${scratch}`);
  if (created.code !== 0) throw new Error(`creating ${scratch}: ${created.stderr.trim()}`);
  try {
    const restored = await execFileCapture(pgBinary('pg_restore'), ['--exit-on-error', '--no-owner', '--dbname', scratch, file], { env: admin });
    if (restored.code !== 0) throw new Error(`pg_restore into ${scratch}: ${restored.stderr.trim()}`);
    if (faults.has('missing-rows')) await psql('DELETE FROM projects WHERE id = (SELECT max(id) FROM projects)', scratch);
    if (faults.has('migration-mismatch')) await psql('DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)', scratch);
    const again = await execFileCapture(pgBinary('pg_dump'), ['--format=custom', '--no-owner', '--file', file], { env: { ...admin, PGDATABASE: scratch } });
    if (again.code !== 0) throw new Error(`pg_dump of ${scratch}: ${again.stderr.trim()}`);
  } finally {
    await psql(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
  }
}

/** Take the startup backup into `dir`; returns the archive path and its manifest. */
export async function makeStartupBackup(db: Db, opts: { dir: string; faults: FaultSet; databaseUrl?: string; now?: Date }): Promise<DemoBackup> {
  const now = opts.now ?? new Date();
  const takenAt = opts.faults.has('stale-backup') ? new Date(now.getTime() - STALE_AGE_MS) : now;
  await mkdir(opts.dir, { recursive: true });
  // Facts from the live database: what a good backup must reproduce.
  const facts = await takeManifestFacts(asQueryable(db), { createdAt: takenAt });
  const pg = db.kind === 'postgres' && opts.databaseUrl;
  const archive = path.join(opts.dir, `demo-${stamp(takenAt)}.${pg ? 'dump' : 'tar.gz'}`);
  let bytes: Uint8Array;
  if (pg) {
    const tmp = path.join(tmpdir(), `demo-backup-${process.pid}-${Date.now()}.dump`);
    try {
      await pgArchive(opts.databaseUrl as string, tmp, opts.faults);
      bytes = await readFile(tmp);
    } finally {
      await rm(tmp, { force: true });
    }
  } else {
    bytes = await pgliteArchive(db, opts.faults);
  }
  if (opts.faults.has('migration-mismatch')) {
    // The backup is honest about its own schema: one migration behind.
    const { rows } = await asQueryable(db).query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version DESC OFFSET 1 LIMIT 1');
    facts.migrationVersion = rows[0]?.version ?? null;
  }
  const manifest: BackupManifest = {
    schemaVersion: 1,
    ...facts,
    driver: pg ? 'postgres' : 'pglite',
    archive: { file: path.basename(archive), bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') },
  };
  const written = opts.faults.has('corrupt-backup') ? bytes.subarray(0, Math.floor(bytes.byteLength * 0.6)) : bytes;
  await writeFile(archive, written);
  await writeFile(manifestPathFor(archive), JSON.stringify(manifest, null, 2) + '\n');
  if (opts.faults.has('stale-backup')) {
    for (const f of [archive, manifestPathFor(archive)]) await utimes(f, takenAt, takenAt);
  }
  return { archive, manifest };
}

/**
 * The `stages.dr` section that verifies the demo's startup backup: restore it,
 * check users/projects against the manifest and the migration against
 * demo/migrations, start a second demo on the restored data and smoke it.
 * Paths are absolute so it works from any config folder.
 */
export function demoDrStage(backupDir: string, opts: { databaseUrl?: string; smoke?: 'smoke' | 'probes' } = {}): DrConfigInput {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const onPostgres = Boolean(opts.databaseUrl);
  return {
    driver: onPostgres ? 'postgres' : 'pglite',
    source: { folder: backupDir },
    criticalTables: ['users', 'projects'],
    // The manifest sums whole rows; user passwords are re-hashed at each start, after the backup.
    checksums: { users: '*', projects: '*' },
    migrationsDir: path.join(here, 'migrations'),
    rpoTarget: '24h',
    rtoTarget: '5m',
    app: {
      command: [process.execPath, '--import', import.meta.resolve('tsx'), path.join(here, 'main.ts'), '--port', '0', '--host', '127.0.0.1', ...(onPostgres ? [] : ['--data-dir', '{dataDir}'])],
      // pglite: never let the restored copy reach a live DATABASE_URL.
      env: onPostgres ? {} : { DATABASE_URL: '' },
      smoke: opts.smoke ?? 'smoke',
      probes: ['/health', '/version', '/api/projects'],
      role: 'editor',
      startTimeout: '90s',
    },
  };
}

/** For `pdv demo`: point the resolved config's DR stage at the demo's startup backup. */
export function applyDemoDr(config: { stages: { dr: DrConfig } }, backupDir: string, databaseUrl?: string): void {
  config.stages.dr = drConfigSchema.parse(demoDrStage(backupDir, databaseUrl ? { databaseUrl } : {}));
}
