import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutPostgres, startPostgres, type TestPostgres } from '../../e2e/helpers/postgres.ts';
import { Redactor } from '../core/redact.ts';
import { dependencyChecks } from './checks.ts';
import { postgresDependencySchema, type PostgresDependency } from './config.ts';
import { probePostgres } from './postgres.ts';
import { freePort } from '../../demo/prometheus/launch.ts';

const dep = (over: Record<string, unknown> = {}): PostgresDependency => postgresDependencySchema.parse({ type: 'postgres', name: 'db', connectTimeout: 3_000, timeout: 3_000, ...over });

describe.skipIf(skipWithoutPostgres())('postgres probe against a real PostgreSQL', () => {
  let db: TestPostgres;
  let readerUrl: string;
  const readerPassword = `reader-canary-${process.pid}`;
  beforeAll(async () => {
    db = await startPostgres();
    // "9" sorts after "10" as text: the probe must pick 10 as the newest.
    await db.query(`CREATE TABLE schema_migrations (version varchar PRIMARY KEY); INSERT INTO schema_migrations VALUES ('9_projects'), ('10_renders'), ('2_init')`);
    await db.query(`CREATE ROLE reader LOGIN PASSWORD '${readerPassword}'; GRANT SELECT ON schema_migrations TO reader`);
    readerUrl = `postgres://reader:${readerPassword}@127.0.0.1:${db.port}/postgres`;
  });
  afterAll(async () => db?.stop());

  it('passes: connect, select 1, migration equal to the release (numeric aware)', async () => {
    const out = await probePostgres(dep(), { url: db.url, expectedMigration: '0010' });
    expect(out.status, out.message).toBe('passed');
    expect(out.observed).toBe('10_renders');
    expect(out.assertions.map((a) => [a.name, a.ok])).toEqual([['connect', true], ['select 1', true], ['migration version', true]]);
  });

  it('fails when the live schema is behind the release', async () => {
    const out = await probePostgres(dep(), { url: db.url, expectedMigration: '11_flags' });
    expect(out.status).toBe('failed');
    expect(out.message).toBe('migration version: live schema at 10_renders, the release expects 11_flags (behind the release)');
  });

  it('fails when the migrations table is missing', async () => {
    const out = await probePostgres(dep({ migrationsTable: 'no_such_table' }), { url: db.url, expectedMigration: '10' });
    expect(out.status).toBe('failed');
    expect(out.message).toContain('no_such_table is not readable');
  });

  it('read-only: a role that can write fails (and nothing is left behind), a read-only role passes', async () => {
    const writer = await probePostgres(dep({ readOnly: true }), { url: db.url });
    expect(writer.status).toBe('failed');
    expect(writer.message).toMatch(/holds write privileges: .*INSERT on public\.schema_migrations/);
    expect(await db.query(`SELECT tablename FROM pg_tables WHERE tablename LIKE 'pdv_write_probe_%'`)).toEqual([]);

    const reader = await probePostgres(dep({ readOnly: true }), { url: readerUrl, expectedMigration: '10' });
    expect(reader.status, reader.message).toBe('passed');
    expect(reader.assertions.find((a) => a.name === 'read-only role')?.detail).toMatch(/no INSERT, UPDATE, DELETE or TRUNCATE on any of 1 tables in public, no CREATE; a CREATE TABLE was refused \(42501/);
  });

  it('read-only is decided from the privileges: a non-owner login that can INSERT fails, naming the table and privilege', async () => {
    // On PostgreSQL 15 a non-owner is refused CREATE in public, so a CREATE TABLE probe alone would pass this login.
    const pw = `writer-canary-${process.pid}`;
    await db.query(`CREATE SCHEMA shop; CREATE TABLE shop.orders (id int); CREATE ROLE clerk LOGIN PASSWORD '${pw}'; GRANT USAGE ON SCHEMA shop TO clerk; GRANT SELECT, INSERT ON shop.orders TO clerk`);
    const url = `postgres://clerk:${pw}@127.0.0.1:${db.port}/postgres`;
    const out = await probePostgres(dep({ readOnly: true }), { url });
    expect(out.status).toBe('failed');
    expect(out.message).toMatch(/read-only role: the harness login holds write privileges: INSERT on shop\.orders; grant it SELECT only/);
    // A column-level UPDATE grant is a write too; so is a read-only default that any session may turn off.
    await db.query(`REVOKE INSERT ON shop.orders FROM clerk; GRANT UPDATE (id) ON shop.orders TO clerk; ALTER ROLE clerk SET default_transaction_read_only = on`);
    const col = await probePostgres(dep({ readOnly: true }), { url });
    expect(col.message).toMatch(/UPDATE on shop\.orders.*default_transaction_read_only is on, but any session may turn it off/);
    // SELECT only, read-only by default: decided without a write.
    await db.query(`REVOKE UPDATE (id) ON shop.orders FROM clerk`);
    const ro = await probePostgres(dep({ readOnly: true }), { url });
    expect(ro.status, ro.message).toBe('passed');
    expect(ro.assertions.find((a) => a.name === 'read-only role')?.detail).toMatch(/default_transaction_read_only is on and the login holds no write privilege/);
  });

  it('fails on a wrong password, which never shows in the check', async () => {
    const wrong = `wrong-${readerPassword}`;
    const redactor = new Redactor();
    const ctx = { settings: { rootDir: '.', runtime: {} }, signal: new AbortController().signal, redactor };
    const [check] = await dependencyChecks(ctx as never, [dep({ urlEnv: 'ORDERS_DB_URL' })], 'smoke', 'smoke', { ORDERS_DB_URL: `postgres://reader:${wrong}@127.0.0.1:${db.port}/postgres` });
    expect(check?.id).toBe('smoke.dependency.db');
    expect(check?.status).toBe('failed');
    expect(check?.message).toContain('password authentication failed');
    expect(JSON.stringify(check)).not.toContain(wrong);
  });

  it('takes the release migration from migrationsDir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pdv-migrations-'));
    try {
      for (const f of ['2_init.sql', '9_projects.sql', '10_renders.sql', '11_flags.sql']) await writeFile(join(dir, f), '');
      const ctx = { settings: { rootDir: '/', runtime: { databaseUrl: db.url } }, signal: new AbortController().signal, redactor: new Redactor() };
      const [check] = await dependencyChecks(ctx as never, [dep({ migrationsDir: dir })], 'smoke', 'smoke', {});
      expect(check?.status).toBe('failed');
      expect(check?.limit).toBe('11_flags');
      expect(check?.observed).toBe('10_renders');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails on connection refused', async () => {
    const out = await probePostgres(dep(), { url: `postgres://u:p@127.0.0.1:${await freePort()}/x` });
    expect(out.status).toBe('failed');
    expect(out.message).toMatch(/^connect: .*ECONNREFUSED/);
  });

  it('is errored (the harness, not the target) when the run is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await probePostgres(dep(), { url: db.url, signal: ac.signal })).status).toBe('errored');
  });
});
