import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pkg from '../config/index.ts';
import { tableChecksum } from './manifest.ts';
import { MIGRATION_PRESETS } from './migrations.ts';

// The package's backupManifest() on a PGlite tarball: restored into a scratch
// PGlite, measured, the scratch folder removed; written in the exact text.

let dir: string;
let tarball: string;
const expected: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdv-take-manifest-'));
  const db = new PGlite();
  try {
    await db.query(`CREATE TABLE knex_migrations (id serial PRIMARY KEY, name varchar(255), batch int, migration_time timestamptz)`);
    await db.query(`INSERT INTO knex_migrations (name, batch) VALUES ('20240101_init.js', 1), ('20240301_users.js', 2)`);
    await db.query(`CREATE TABLE users (id int PRIMARY KEY, email text)`);
    await db.query(`INSERT INTO users VALUES (1, 'a@x.test'), (2, 'b@x.test')`);
    expected.users = await tableChecksum(db, 'users', ['id', 'email']);
    tarball = join(dir, 'nightly.tar.gz');
    await writeFile(tarball, new Uint8Array(await (await db.dumpDataDir('gzip')).arrayBuffer()));
  } finally {
    await db.close();
  }
  await utimes(tarball, new Date('2026-11-26T02:00:00Z'), new Date('2026-11-26T02:00:00Z'));
}, 60_000);
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('backupManifest (package entry)', () => {
  it('measures a PGlite tarball: the given tables and columns, the tool\'s migration history, the file\'s time', async () => {
    const m = await pkg.backupManifest(tarball, { tables: ['users'], checksums: { users: ['id', 'email'] }, migrations: MIGRATION_PRESETS.knex });
    expect(m).toMatchObject({
      schemaVersion: 1,
      createdAt: '2026-11-26T02:00:00.000Z',
      driver: 'pglite',
      archive: { file: 'nightly.tar.gz', bytes: (await readFile(tarball)).length },
      migrationVersion: '20240301_users.js',
      rowCounts: { users: 2 },
      checksums: { users: { columns: ['id', 'email'], md5: expected.users } },
    });
  }, 60_000);

  it('writeBackupManifest writes the exact text beside the archive', async () => {
    const { path, text, manifest } = await pkg.writeBackupManifest(tarball, { tables: ['users'], checksums: { users: '*' } });
    expect(path).toBe(`${tarball}.manifest.json`);
    expect(await readFile(path, 'utf8')).toBe(text);
    expect(text).toBe(pkg.manifestJson(manifest));
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['schemaVersion', 'createdAt', 'driver', 'archive', 'migrationVersion', 'rowCounts', 'checksums']);
  }, 60_000);
});
