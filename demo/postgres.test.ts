import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutPostgres, startPostgres, type TestPostgres } from '../e2e/helpers/postgres.ts';
import type { DemoHandle } from './launch.ts';
import { auth, loginToken, startTestDemo } from './test-helpers.ts';

// DATABASE_URL switches the demo from PGlite to a real PostgreSQL.
describe.skipIf(skipWithoutPostgres())('demo on a real PostgreSQL (DATABASE_URL)', () => {
  let pg: TestPostgres;
  let demo: DemoHandle;
  beforeAll(async () => {
    pg = await startPostgres();
    demo = await startTestDemo({ env: { DATABASE_URL: pg.url } });
  });
  afterAll(async () => {
    await demo?.stop();
    await pg?.stop();
  });

  it('migrates, seeds and serves from PostgreSQL', async () => {
    expect((await fetch(`${demo.baseUrl}/health`)).status).toBe(200);
    const migrations = await pg.query<{ version: string; applied_at: Date }>('select version, applied_at from schema_migrations order by version');
    expect(migrations.map((m) => m.version)).toContain('001_init');
    const users = await pg.query<{ email: string; password_hash: string }>('select email, password_hash from users order by email');
    expect(users.map((u) => u.email)).toEqual(['admin@studio.test', 'editor2@studio.test', 'editor@studio.test', 'viewer@studio.test']);
    expect(users.every((u) => u.password_hash.startsWith('scrypt$'))).toBe(true);
    const editor = await loginToken(demo.baseUrl, 'editor');
    const res = await fetch(`${demo.baseUrl}/api/projects`, { method: 'POST', headers: auth(editor, { 'content-type': 'application/json' }), body: JSON.stringify({ title: 'Stored in PostgreSQL' }) });
    expect(res.status).toBe(201);
    const rows = await pg.query<{ title: string }>('select title from projects where title = $1', ['Stored in PostgreSQL']);
    expect(rows).toHaveLength(1);
  });
});
