import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDb, type Db } from './db.ts';
import { seed } from './seed.ts';
import { verifyPassword } from './auth.ts';

// The database layer on in-memory PGlite (no server process).
let db: Db;
beforeAll(async () => {
  db = await openDb({ env: { DATABASE_URL: '' } });
});
afterAll(async () => {
  await db?.close();
});

describe('migrations', () => {
  it('applies demo/migrations once and records them in schema_migrations', async () => {
    expect(await migrate(db)).toEqual(['001_init', '002_render_jobs_project_idx']);
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ version: string; applied_at: Date }>('select version, applied_at from schema_migrations order by version');
    expect(rows.map((r) => r.version)).toEqual(['001_init', '002_render_jobs_project_idx']);
    expect(rows[0]?.applied_at).toBeInstanceOf(Date);
    const tables = await db.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public' order by table_name");
    expect(tables.map((t) => t.table_name)).toEqual(['projects', 'render_jobs', 'schema_migrations', 'scripts', 'user_settings', 'users']);
  });

  it('rolls a failing migration back whole and does not record it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'demo-mig-'));
    try {
      await writeFile(path.join(dir, '900_ok.sql'), 'create table mig_ok (x int);');
      await writeFile(path.join(dir, '901_bad.sql'), 'create table mig_bad (x int);\ninsert into no_such_table values (1);');
      await expect(migrate(db, dir)).rejects.toThrow(/901_bad\.sql/);
      const versions = (await db.query<{ version: string }>('select version from schema_migrations order by version')).map((r) => r.version);
      expect(versions).toEqual(['001_init', '002_render_jobs_project_idx', '900_ok']);
      expect(await db.query("select to_regclass('mig_bad') as t")).toEqual([{ t: null }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('seed', () => {
  it('upserts the four users with scrypt hashes and seeds projects once', async () => {
    const env = { DEMO_ADMIN_PASSWORD: 'adm-pw-1', DEMO_EDITOR_PASSWORD: 'edi-pw-2' }; // viewer: random
    const secrets = await seed(db, env);
    expect(secrets).toContain('adm-pw-1');
    expect(secrets.filter((s) => s === 'edi-pw-2')).toHaveLength(2);
    const viewerPw = secrets[3];
    expect(viewerPw && viewerPw.length).toBeGreaterThanOrEqual(16);
    // A second seed upserts (the viewer gets a new random password; nothing is duplicated).
    const again = await seed(db, env);
    const users = await db.query<{ email: string; role: string; password_hash: string }>('select email, role, password_hash from users order by id');
    expect(users.map((u) => [u.email, u.role])).toEqual([
      ['admin@studio.test', 'admin'], ['editor@studio.test', 'editor'], ['editor2@studio.test', 'editor'], ['viewer@studio.test', 'viewer'],
    ]);
    // The stored hash is scrypt's, never the password: a random base64url salt may contain any
    // two letters ("pw" included), so the check is on the passwords themselves and on verification.
    const byEmail = new Map(users.map((u) => [u.email, u.password_hash]));
    for (const [email, pw] of [['admin@studio.test', 'adm-pw-1'], ['editor@studio.test', 'edi-pw-2'], ['viewer@studio.test', again[3] ?? '']] as const) {
      const hash = byEmail.get(email) ?? '';
      expect(hash).toMatch(/^scrypt\$/);
      expect(hash.includes(pw)).toBe(false);
      expect(await verifyPassword(pw, hash)).toBe(true);
    }
    expect(await db.query('select count(*)::int as n from projects')).toEqual([{ n: 4 }]);
    expect(await db.query('select count(*)::int as n from user_settings')).toEqual([{ n: 4 }]);
  });
});
