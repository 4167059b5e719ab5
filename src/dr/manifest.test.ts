import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { compareChecksums, compareMigrations, compareRowCounts, migrationVersion, newestMigration, sameMigration } from './manifest.ts';

describe('compareRowCounts', () => {
  it.each<{ name: string; expected: Record<string, number>; actual: Record<string, number>; tol: number; ok: boolean[] }>([
    { name: 'equal', expected: { projects: 4 }, actual: { projects: 4 }, tol: 0, ok: [true] },
    { name: 'one row lost', expected: { projects: 4 }, actual: { projects: 3 }, tol: 0, ok: [false] },
    { name: 'extra row', expected: { projects: 4 }, actual: { projects: 5 }, tol: 0, ok: [false] },
    { name: 'within 1%', expected: { events: 1000 }, actual: { events: 991 }, tol: 0.01, ok: [true] },
    { name: 'past 1%', expected: { events: 1000 }, actual: { events: 989 }, tol: 0.01, ok: [false] },
    { name: 'not in manifest', expected: {}, actual: { users: 4 }, tol: 0.5, ok: [false] },
    { name: 'table missing from copy', expected: { users: 4 }, actual: { users: -1 }, tol: 0, ok: [false] },
  ])('$name', ({ expected, actual, tol, ok }) => {
    expect(compareRowCounts(expected, actual, tol).map((r) => r.ok)).toEqual(ok);
  });
});

describe('compareChecksums', () => {
  const manifest = { users: { columns: ['id', 'email'], md5: 'aaa' }, projects: { columns: '*' as const, md5: 'bbb' } };
  it('matches equal sums over the same columns', () => {
    expect(compareChecksums(manifest, { users: { columns: ['id', 'email'], md5: 'aaa' } })[0]?.ok).toBe(true);
  });
  it('fails a different sum', () => {
    expect(compareChecksums(manifest, { projects: { columns: '*', md5: 'ccc' } })[0]).toMatchObject({ ok: false, expected: 'bbb' });
  });
  it('does not compare sums over different columns', () => {
    const [r] = compareChecksums(manifest, { users: { columns: ['id'], md5: 'aaa' } });
    expect(r).toMatchObject({ ok: false, expected: undefined });
    expect(r?.why).toContain('columns');
  });
  it('reports a table the manifest lacks', () => {
    expect(compareChecksums(manifest, { scripts: { columns: '*', md5: 'x' } })[0]?.why).toBe('not in the manifest');
  });
});

describe('migrations', () => {
  it.each([
    ['001_init', '001_init', true],
    ['001_init', '1', true],
    ['0007', '7_add_renders', true],
    ['001_init', '002_renders', false],
    ['abc', 'abd', false],
    // semver: a shared leading number is not the same version
    ['1.10.0', '1.1.0', false],
    ['1.10.0', '1.9.0', false],
    ['1.2.0', '1.2.0', true],
    ['V2__add_renders', 'V2__add_renders', true],
    ['20240101120000_init', '20240101120000', true],
    ['20240101120000', '20240101120001', false],
  ])('sameMigration(%s, %s) = %s', (a, b, want) => expect(sameMigration(a, b)).toBe(want));

  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pdv-mig-'));
    for (const f of ['001_init.sql', '002_more.sql', '010_later.sql', '.hidden']) await writeFile(join(dir, f), '');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  it('newest migration orders by number, not text', async () => {
    expect(await newestMigration(dir)).toBe('010_later');
  });
});

describe('migration order: numeric, semver-aware and timestamp-aware, never plain text', () => {
  it.each([
    ['9', '10'],
    ['002_more', '010_later'],
    ['1.9.0', '1.10.0'],
    ['1.0.0-rc.1', '1.0.0'],
    ['V9__x', 'V10__y'],
    ['20231231235959', '20240101000000'],
    ['20240101000000_a', '20240102000000_b'],
  ])('%s < %s', (older, newer) => {
    expect(compareMigrations(older, newer)).toBeLessThan(0);
    expect(compareMigrations(newer, older)).toBeGreaterThan(0);
  });

  it('reads the newest version of a varchar history table by number ("10" after "9")', async () => {
    const db = new PGlite();
    try {
      await db.query('CREATE TABLE schema_migrations (version varchar(32) PRIMARY KEY)');
      await db.query(`INSERT INTO schema_migrations (version) VALUES ('1'), ('2'), ('9'), ('10'), ('11')`);
      expect(await migrationVersion(db)).toBe('11');
    } finally {
      await db.close();
    }
  });

  it('reads the newest semver version and ignores NULL versions (repeatable migrations)', async () => {
    const db = new PGlite();
    try {
      await db.query('CREATE TABLE flyway_schema_history (version varchar(50))');
      await db.query(`INSERT INTO flyway_schema_history (version) VALUES ('1.9.0'), ('1.10.0'), (NULL), ('1.2.0')`);
      expect(await migrationVersion(db, 'flyway_schema_history')).toBe('1.10.0');
    } finally {
      await db.close();
    }
  });
});
