import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStageContext } from '../../../e2e/helpers/stage-context.ts';
import { PG_BIN, skipWithoutPostgres, startPostgres, type TestPostgres } from '../../../e2e/helpers/postgres.ts';
import { runDr } from '../../stages/dr/run.ts';
import { cleanupLeftovers } from '../cleanup.ts';
import { execFileCapture, libpqEnv } from '../exec.ts';
import { manifestPathFor, sha256File, takeManifestFacts } from '../manifest.ts';
import { tagComment } from '../naming.ts';
import type { BackupManifest } from '../types.ts';
import { createPostgresDriver } from './postgres.ts';
import pg from 'pg';

// Real PostgreSQL 15 from Debian: archives made with pg_dump -Fc, restored
// by the postgres driver through the whole dr stage.

const SCHEMA = `
  CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
  INSERT INTO schema_migrations (version) VALUES ('001_init'), ('002_events');
  CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE);
  CREATE TABLE events (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES users(id), payload text NOT NULL);
`;

let server: TestPostgres;
let dir: string;
const runDirs: string[] = [];

async function pgDump(database: string, file: string): Promise<void> {
  const res = await execFileCapture(join(PG_BIN, 'pg_dump'), ['--format=custom', '--no-owner', '--file', file], { env: { ...process.env, ...libpqEnv(server.urlFor(database)) } });
  if (res.code !== 0) throw new Error(res.stderr);
}

/** A source database with `rows` events, dumped; `damage` runs after the manifest was taken. */
async function makeBackup(name: string, rows: number, damage?: string): Promise<{ folder: string; archive: string }> {
  await server.query(`CREATE DATABASE ${name}`);
  await server.query(SCHEMA, [], name);
  await server.query(`INSERT INTO users (email) SELECT 'u' || g || '@x.test' FROM generate_series(1, 50) g`, [], name);
  await server.query(`INSERT INTO events (user_id, payload) SELECT 1 + g % 50, md5(g::text) FROM generate_series(1, ${rows}) g`, [], name);
  const folder = join(dir, name);
  const archive = join(folder, `${name}.dump`);
  const client = new pg.Client({ connectionString: server.urlFor(name) });
  await client.connect();
  let facts;
  try {
    facts = await takeManifestFacts(client, { tables: ['users', 'events'], checksums: { users: ['id', 'email'], events: '*' } });
  } finally {
    await client.end();
  }
  if (damage) await server.query(damage, [], name);
  await import('node:fs/promises').then((fs) => fs.mkdir(folder, { recursive: true }));
  await pgDump(name, archive);
  const manifest: BackupManifest = { schemaVersion: 1, ...facts, driver: 'postgres', archive: { file: `${name}.dump`, bytes: (await readFile(archive)).length, sha256: await sha256File(archive) } };
  await writeFile(manifestPathFor(archive), JSON.stringify(manifest));
  return { folder, archive };
}

async function scratchDatabases(): Promise<string[]> {
  return (await server.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'pdv_dr_%'`)).map((r) => r.datname);
}

async function runStage(folder: string, extra: Record<string, unknown> = {}) {
  const ctx = await makeStageContext({
    target: { environment: 'test', baseUrl: 'http://127.0.0.1:9' },
    config: {
      stages: {
        dr: {
          driver: 'postgres',
          source: { folder },
          pgBin: PG_BIN,
          criticalTables: ['users', 'events'],
          checksums: { users: ['id', 'email'], events: '*' },
          expectedMigration: '002_events',
          ...extra,
        },
      },
    },
  });
  ctx.settings.runtime.databaseUrl = server.url;
  runDirs.push(ctx.runDir);
  await runDr(ctx);
  const byId = Object.fromEntries(ctx.checks.map((c) => [c.id, c]));
  return { ctx, byId };
}

async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Like runStage, with the live database (DATABASE_URL) and the scratch server set apart. */
async function runWith(folder: string, extra: Record<string, unknown>, urls: { live: string; scratch: string; liveEnv?: string; scratchViaEnv?: boolean }) {
  const scratchEnv = extra.databaseUrlEnv as string | undefined;
  const envNames: Record<string, string> = {};
  if (scratchEnv) envNames[scratchEnv] = urls.scratch;
  if (urls.liveEnv) envNames.PDV_TEST_DR_LIVE_URL = urls.liveEnv;
  const useScratchEnv = urls.scratchViaEnv && !scratchEnv;
  if (useScratchEnv) envNames.PDV_TEST_DR_SCRATCH_URL = urls.scratch;
  const saved = Object.fromEntries(Object.keys(envNames).map((k) => [k, process.env[k]]));
  Object.assign(process.env, envNames);
  try {
    const ctx = await makeStageContext({
      target: { environment: 'test', baseUrl: 'http://127.0.0.1:9' },
      config: {
        stages: {
          dr: {
            driver: 'postgres',
            source: { folder },
            pgBin: PG_BIN,
            criticalTables: ['users', 'events'],
            checksums: { users: ['id', 'email'], events: '*' },
            expectedMigration: '002_events',
            ...(useScratchEnv ? { databaseUrlEnv: 'PDV_TEST_DR_SCRATCH_URL' } : {}),
            ...extra,
          },
        },
      },
    });
    ctx.settings.runtime.databaseUrl = urls.live;
    runDirs.push(ctx.runDir);
    await runDr(ctx);
    return { ctx, byId: Object.fromEntries(ctx.checks.map((c) => [c.id, c])) };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe.skipIf(skipWithoutPostgres())('postgres driver (real PostgreSQL)', () => {
  beforeAll(async () => {
    server = await startPostgres();
    dir = await mkdtemp(join(tmpdir(), 'pdv-dr-pg-'));
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
    for (const d of runDirs) await rm(d, { recursive: true, force: true });
  });

  it('restores a good archive, validates it and drops the scratch database', async () => {
    const { folder } = await makeBackup('good', 500);
    const { byId, ctx } = await runStage(folder);
    for (const id of ['dr.backup-found', 'dr.rpo', 'dr.archive-reads', 'dr.restore', 'dr.migration-version', 'dr.row-counts', 'dr.checksums', 'dr.rto', 'dr.cleanup']) {
      expect(byId[id]?.status, `${id}: ${byId[id]?.message}`).toBe('passed');
    }
    expect(byId['dr.app-on-restored-data']?.status).toBe('skipped');
    expect(byId['dr.row-counts']?.message).toContain('events 500');
    expect(await scratchDatabases()).toEqual([]);
    const extra = ctx.events.find((e) => e.type === 'extra' && e.key === 'dr');
    expect(extra).toBeDefined();
    // The connection string's password never reaches a check.
    expect(JSON.stringify(ctx.events)).not.toContain(server.password);
  });

  it('compareTo "live" reads DATABASE_URL (the live database), not the scratch server of databaseUrlEnv', async () => {
    const { ctx, byId } = await runWith(join(dir, 'good'), { compareTo: 'live', databaseUrlEnv: 'PDV_TEST_DR_SCRATCH_URL' }, { live: server.urlFor('good'), scratch: server.url });
    expect(byId['dr.row-counts']?.status, byId['dr.row-counts']?.message).toBe('passed');
    expect(byId['dr.row-counts']?.message).toContain('live database');
    expect(byId['dr.checksums']?.status, byId['dr.checksums']?.message).toBe('passed');
    expect(JSON.stringify(ctx.events)).not.toContain(server.password);
  });

  it('compareTo "live" reads liveDatabaseUrlEnv when it is set', async () => {
    const { byId } = await runWith(join(dir, 'good'), { compareTo: 'live', liveDatabaseUrlEnv: 'PDV_TEST_DR_LIVE_URL' }, { live: server.url, scratch: server.url, liveEnv: server.urlFor('good') });
    expect(byId['dr.row-counts']?.status, byId['dr.row-counts']?.message).toBe('passed');
  });

  it('an unreachable live database makes row counts and checksums errored (hold), not failed', async () => {
    const { byId } = await runWith(join(dir, 'good'), { compareTo: 'live' }, { live: `postgres://postgres:x@127.0.0.1:${await closedPort()}/app`, scratch: server.url, scratchViaEnv: true });
    expect(byId['dr.restore']?.status).toBe('passed');
    expect(byId['dr.row-counts']?.status, byId['dr.row-counts']?.message).toBe('errored');
    expect(byId['dr.checksums']?.status).toBe('errored');
    expect(byId['dr.row-counts']?.message).toMatch(/live database/);
  });

  it('an unreachable scratch database server makes the restore errored (hold), not failed (rollback)', async () => {
    const { byId } = await runWith(join(dir, 'good'), {}, { live: `postgres://postgres:x@127.0.0.1:${await closedPort()}/postgres`, scratch: '' });
    expect(byId['dr.archive-reads']?.status).toBe('passed');
    expect(byId['dr.restore']?.status, byId['dr.restore']?.message).toBe('errored');
    expect(byId['dr.restore']?.message).toMatch(/scratch database server/);
    expect(Object.values(byId).filter((c) => c.status === 'failed' && c.severity !== 'minor')).toEqual([]);
  });

  it('fails the archive check on a truncated archive and creates no scratch database', async () => {
    const { folder, archive } = await makeBackup('truncated', 2000);
    const bytes = await readFile(archive);
    await writeFile(archive, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const { byId } = await runStage(folder);
    expect(byId['dr.archive-reads']?.status).toBe('failed');
    expect(byId['dr.archive-reads']?.severity).toBe('critical');
    expect(byId['dr.restore']?.status).toBe('skipped');
    expect(await scratchDatabases()).toEqual([]);
  });

  it('fails the restore (not the stage) on a truncated archive without a manifest, and drops the partial copy', async () => {
    const { folder, archive } = await makeBackup('truncnomanifest', 20000);
    const bytes = await readFile(archive);
    await writeFile(archive, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    await rm(manifestPathFor(archive));
    const { byId } = await runStage(folder);
    // pg_restore --list reads the table of contents; the data is what is cut.
    expect(byId['dr.archive-reads']?.status).toBe('passed');
    expect(byId['dr.restore']?.status).toBe('failed');
    expect(byId['dr.restore']?.message).toContain('pg_restore failed');
    expect(byId['dr.row-counts']?.status).toBe('skipped');
    expect(await scratchDatabases()).toEqual([]);
  });

  it('fails row counts and checksums when the backup lost rows', async () => {
    const { folder } = await makeBackup('missingrows', 300, 'DELETE FROM events WHERE id > 290');
    const { byId } = await runStage(folder);
    expect(byId['dr.restore']?.status).toBe('passed');
    expect(byId['dr.row-counts']?.status).toBe('failed');
    expect(byId['dr.row-counts']?.message).toContain('events 290 rows, manifest 300');
    expect(byId['dr.checksums']?.status).toBe('failed');
    expect(await scratchDatabases()).toEqual([]);
  });

  it('accepts lost rows within the tolerance', async () => {
    const { byId } = await runStage(join(dir, 'missingrows'), { tolerance: 0.05, checksums: {} });
    expect(byId['dr.row-counts']?.status).toBe('passed');
  });

  it('fails the migration check when the database is one migration behind the release', async () => {
    const { folder } = await makeBackup('behind', 10, `DELETE FROM schema_migrations WHERE version = '002_events'`);
    const { byId } = await runStage(folder);
    expect(byId['dr.migration-version']?.status).toBe('failed');
    expect(byId['dr.migration-version']?.message).toContain('001_init');
    expect(byId['dr.migration-version']?.message).toContain('002_events');
  });

  it('restores 100,000 rows and counts them', async () => {
    const { folder } = await makeBackup('big', 100_000);
    const { byId } = await runStage(folder);
    expect(byId['dr.row-counts']?.status).toBe('passed');
    expect(byId['dr.row-counts']?.message).toContain('events 100000');
    expect(byId['dr.checksums']?.status).toBe('passed');
  });

  it('fails backup-found (rollback) when the folder has no backup', async () => {
    const empty = join(dir, 'empty');
    await import('node:fs/promises').then((fs) => fs.mkdir(empty, { recursive: true }));
    const { byId } = await runStage(empty);
    expect(byId['dr.backup-found']).toMatchObject({ status: 'failed', severity: 'critical', onFail: 'rollback' });
    expect(byId['dr.rpo']).toMatchObject({ status: 'failed', onFail: 'rollback' });
  });

  it('reports leftovers of an earlier run and `cleanup` removes only tagged scratch databases', async () => {
    await server.query('CREATE DATABASE pdv_dr_earlier_run');
    // Created two hours ago: older than the stage timeout, so no run in progress holds it.
    await server.query(`COMMENT ON DATABASE pdv_dr_earlier_run IS '${tagComment('earlier-run', new Date(Date.now() - 2 * 3_600_000))}'`);
    await server.query('CREATE DATABASE pdv_dr_untagged');
    const { byId } = await runStage(join(dir, 'good'));
    expect(byId['dr.leftovers']).toMatchObject({ status: 'failed', severity: 'minor', onFail: 'warn' });
    expect(byId['dr.leftovers']?.message).toContain('pdv_dr_earlier_run');
    expect(byId['dr.leftovers']?.message).not.toContain('pdv_dr_untagged');

    const driver = createPostgresDriver({ source: {}, rootDir: dir, adminUrl: server.url, pgBin: PG_BIN, env: process.env });
    const dry = await cleanupLeftovers(driver, { dryRun: true });
    expect(dry.items.map((i) => i.name)).toEqual(['pdv_dr_earlier_run']);
    expect(await scratchDatabases()).toContain('pdv_dr_earlier_run');
    const real = await cleanupLeftovers(driver, { dryRun: false });
    expect(real.items).toEqual([expect.objectContaining({ name: 'pdv_dr_earlier_run', removed: true })]);
    expect(await scratchDatabases()).toEqual(['pdv_dr_untagged']);
    await server.query('DROP DATABASE pdv_dr_untagged');
  });

  it('drops the scratch database when the run is aborted mid-restore', async () => {
    const ctx = await makeStageContext({
      target: { environment: 'test', baseUrl: 'http://127.0.0.1:9' },
      config: { stages: { dr: { driver: 'postgres', source: { folder: join(dir, 'big') }, pgBin: PG_BIN, criticalTables: ['events'], expectedMigration: '002_events' } } },
    });
    ctx.settings.runtime.databaseUrl = server.url;
    runDirs.push(ctx.runDir);
    const progress = ctx.emit.bind(ctx);
    // Abort as soon as the restore check would start (i.e. pg_restore is running).
    let restoring = false;
    ctx.emit = (e) => {
      progress(e);
      if (e.type === 'check' && e.check.id === 'dr.archive-reads' && !restoring) {
        restoring = true;
        // At once: on a fast machine the whole restore fits in any fixed delay.
        queueMicrotask(() => ctx.abort());
      }
    };
    await runDr(ctx);
    const byId = Object.fromEntries(ctx.checks.map((c) => [c.id, c]));
    expect(byId['dr.restore']?.status, byId['dr.restore']?.message).toBe('errored');
    expect(byId['dr.cleanup']?.status).toBe('passed');
    expect(await scratchDatabases()).toEqual([]);
  });
});
