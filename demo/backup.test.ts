import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_BIN, skipWithoutPostgres, startPostgres, type TestPostgres } from '../e2e/helpers/postgres.ts';
import { createPostgresDriver } from '../src/dr/drivers/postgres.ts';
import { rowCount } from '../src/dr/manifest.ts';
import { verifyTarball } from '../src/dr/tar.ts';
import { makeStartupBackup, STALE_AGE_MS } from './backup.ts';
import { migrate, openDb, type Db } from './db.ts';
import { FaultSet } from './faults.ts';
import { seed } from './seed.ts';

// The demo's startup backup, on PGlite and on a real PostgreSQL, with and
// without the DR faults (the DR stage's e2e covers the restore side).

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pdv-demo-backup-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

async function seeded(databaseUrl?: string): Promise<Db> {
  const db = await openDb(databaseUrl ? { databaseUrl } : {});
  await migrate(db);
  await seed(db, {});
  return db;
}

describe('demo startup backup on PGlite', () => {
  let db: Db;
  beforeAll(async () => {
    db = await seeded();
  });
  afterAll(() => db.close());

  it('writes a readable tarball and a manifest of the live database', async () => {
    const { archive, manifest } = await makeStartupBackup(db, { dir: join(work, 'lite-ok'), faults: new FaultSet([]) });
    const bytes = await readFile(archive);
    expect(verifyTarball(bytes).entries).toBeGreaterThan(100);
    expect(manifest).toMatchObject({ driver: 'pglite', migrationVersion: '002_render_jobs_project_idx', rowCounts: { users: 4, projects: 4 } });
    expect(manifest.archive.bytes).toBe(bytes.length);
  });

  it('corrupt-backup truncates the archive but keeps the full size in the manifest', async () => {
    const { archive, manifest } = await makeStartupBackup(db, { dir: join(work, 'lite-corrupt'), faults: new FaultSet(['corrupt-backup']) });
    const bytes = await readFile(archive);
    expect(bytes.length).toBeLessThan(manifest.archive.bytes);
    expect(() => verifyTarball(bytes)).toThrow();
  });

  it('stale-backup dates the backup (manifest and mtime) older than a day', async () => {
    const now = new Date('2026-11-26T12:00:00Z');
    const { archive, manifest } = await makeStartupBackup(db, { dir: join(work, 'lite-stale'), faults: new FaultSet(['stale-backup']), now });
    expect(Date.parse(manifest.createdAt)).toBe(now.getTime() - STALE_AGE_MS);
    expect((await stat(archive)).mtimeMs).toBe(now.getTime() - STALE_AGE_MS);
  });
});

describe.skipIf(skipWithoutPostgres())('demo startup backup on PostgreSQL (pg_dump)', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());

  it.each([
    { fault: [], projects: 4, migrations: 2 },
    { fault: ['missing-rows'], projects: 3, migrations: 2 },
    { fault: ['migration-mismatch'], projects: 4, migrations: 1 },
  ])('faults $fault: the archive restores with $projects projects, $migrations migration(s); the live DB is untouched', async ({ fault, projects, migrations }) => {
    const name = `studio_${fault.join('_').replace(/-/g, '_') || 'ok'}`;
    await server.query(`CREATE DATABASE ${name}`);
    const db = await seeded(server.urlFor(name));
    try {
      const { archive, manifest } = await makeStartupBackup(db, { dir: join(work, name), faults: new FaultSet(fault), databaseUrl: server.urlFor(name) });
      expect(manifest.driver).toBe('postgres');
      expect(manifest.rowCounts.projects).toBe(4);
      const driver = createPostgresDriver({ source: { path: archive }, rootDir: work, adminUrl: server.url, pgBin: PG_BIN, env: process.env });
      const backup = await driver.locate(AbortSignal.timeout(10_000));
      if (!backup) throw new Error('backup not found');
      expect((await driver.verifyArchive(backup, AbortSignal.timeout(10_000))).ok).toBe(true);
      const scratch = { name: `pdv_dr_${name}`, runId: name };
      const copy = await driver.restore(backup, scratch, AbortSignal.timeout(60_000));
      try {
        expect(await rowCount(copy.db, 'projects')).toBe(projects);
        expect(await rowCount(copy.db, 'schema_migrations')).toBe(migrations);
      } finally {
        await copy.close();
        await driver.drop(scratch, AbortSignal.timeout(10_000));
      }
      expect((await db.query<{ n: number }>('select count(*)::int as n from projects'))[0]?.n).toBe(4);
      // The fault's throwaway database is gone.
      expect(await server.query(`SELECT datname FROM pg_database WHERE datname LIKE 'demo_backup_%'`)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
