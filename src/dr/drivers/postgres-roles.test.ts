import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../e2e/helpers/cli.ts';
import { PG_BIN, skipWithoutPostgres, startPostgres, type TestPostgres } from '../../../e2e/helpers/postgres.ts';
import { makeStageContext } from '../../../e2e/helpers/stage-context.ts';
import { policy } from '../../core/policy.ts';
import { runDr } from '../../stages/dr/run.ts';
import { execFileCapture, libpqEnv } from '../exec.ts';
import { cleanupLeftovers } from '../cleanup.ts';
import { tagComment } from '../naming.ts';
import { rolesInScript } from './pg-roles.ts';
import { createPostgresDriver } from './postgres.ts';

// A real application role scheme, as PostgREST-style APIs use it: the app logs
// in as an authenticator and switches per request to a read-only or a writer
// role, each allowed only through GRANTs. The "production" server has the
// roles; the dump (pg_dump -Fc) carries the GRANTs but, like every pg_dump,
// not the roles. The drill restores it on a second, fresh server and the
// app's probes must pass there as they do in production.

const APP = join(import.meta.dirname, '../../../e2e/fixtures/dr-roles-app/server.mjs');
const ROLES = { owner: 'dr25_owner', auth: 'dr25_authenticator', reader: 'dr25_reader', writer: 'dr25_writer' };
const AUTH_PASSWORD = 'auth-pw-4711';

const PROD_SETUP = `
  CREATE ROLE ${ROLES.owner} NOLOGIN;
  CREATE ROLE ${ROLES.reader} NOLOGIN;
  CREATE ROLE ${ROLES.writer} NOLOGIN;
  CREATE ROLE ${ROLES.auth} LOGIN NOINHERIT PASSWORD '${AUTH_PASSWORD}';
  GRANT ${ROLES.reader}, ${ROLES.writer} TO ${ROLES.auth};
`;
const APP_SCHEMA = `
  CREATE SCHEMA api AUTHORIZATION ${ROLES.owner};
  GRANT CREATE ON SCHEMA public TO ${ROLES.owner};
  SET ROLE ${ROLES.owner};
  CREATE TABLE public.schema_migrations (version text PRIMARY KEY);
  INSERT INTO public.schema_migrations VALUES ('001_init'), ('002_todos'), ('003_done_flag');
  CREATE TABLE api.todos (id serial PRIMARY KEY, title text NOT NULL, done boolean NOT NULL DEFAULT false);
  INSERT INTO api.todos (title) VALUES ('one'), ('two'), ('three');
  GRANT USAGE ON SCHEMA api TO ${ROLES.reader}, ${ROLES.writer};
  GRANT SELECT ON api.todos TO ${ROLES.reader};
  GRANT SELECT, INSERT ON api.todos TO ${ROLES.writer};
  GRANT USAGE ON SEQUENCE api.todos_id_seq TO ${ROLES.writer};
  ALTER TABLE api.todos ENABLE ROW LEVEL SECURITY;
  CREATE POLICY todos_read ON api.todos FOR SELECT TO ${ROLES.reader}, ${ROLES.writer} USING (true);
  CREATE POLICY todos_write ON api.todos FOR INSERT TO ${ROLES.writer} WITH CHECK (title <> '');
  RESET ROLE;
`;

let prod: TestPostgres;
let scratch: TestPostgres;
let dir: string;
const runDirs: string[] = [];

async function dump(server: TestPostgres, database: string, file: string): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const res = await execFileCapture(join(PG_BIN, 'pg_dump'), ['--format=custom', '--file', file], { env: { ...process.env, ...libpqEnv(server.urlFor(database)) } });
  if (res.code !== 0) throw new Error(res.stderr);
}

async function roles(server: TestPostgres): Promise<Array<{ rolname: string; comment: string | null }>> {
  return server.query(`SELECT rolname, shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname LIKE 'dr25_%' ORDER BY 1`);
}

interface DrillOptions {
  dr?: Record<string, unknown>;
  appEnv?: Record<string, string>;
  scratchUrl?: string;
}

/** The DR stage on `folder`, scratch databases on the second server, the app probed as the test app answers. */
async function drill(folder: string, o: DrillOptions = {}) {
  const ctx = await makeStageContext({
    target: { environment: 'test', baseUrl: 'http://127.0.0.1:9' },
    secrets: { PDV_TEST_DR25_LIVE: prod.urlFor('app') },
    config: {
      stages: {
        dr: {
          driver: 'postgres',
          source: { folder },
          pgBin: PG_BIN,
          criticalTables: ['api.todos'],
          checksums: { 'api.todos': '*' },
          expectedMigration: '003_done_flag',
          // Counted against the production database itself (no manifest needed), as compareTo 'live' does.
          compareTo: 'live',
          liveDatabaseUrlEnv: 'PDV_TEST_DR25_LIVE',
          app: {
            command: [process.execPath, APP],
            env: { APP_READ_ROLE: ROLES.reader, APP_WRITE_ROLE: ROLES.writer, ...o.appEnv },
            smoke: 'probes',
            probes: ['/health', '/api/todos', '/api/todos/new'],
            startTimeout: '30s',
          },
          ...o.dr,
        },
      },
    },
  });
  ctx.settings.runtime.databaseUrl = o.scratchUrl ?? scratch.url;
  runDirs.push(ctx.runDir);
  await runDr(ctx);
  const byId = Object.fromEntries(ctx.checks.map((c) => [c.id, c]));
  const verdict = policy({ checks: ctx.checks, stages: [{ name: 'dr', status: 'passed', durationMs: 0 }], required: ['dr'] });
  const left = await scratch.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'pdv_dr_%'`);
  return { ctx, byId, verdict, left: left.map((r) => r.datname) };
}

describe.skipIf(skipWithoutPostgres())('DR drill of an app with roles and grants (real PostgreSQL, two servers)', { timeout: 180_000 }, () => {
  let folder: string;
  beforeAll(async () => {
    [prod, scratch] = await Promise.all([startPostgres(), startPostgres()]);
    dir = await mkdtemp(join(tmpdir(), 'pdv-dr-roles-'));
    await prod.query(PROD_SETUP);
    await prod.query('CREATE DATABASE app');
    await prod.query(APP_SCHEMA, [], 'app');
    folder = join(dir, 'nightly');
    await dump(prod, 'app', join(folder, 'app.dump'));
  }, 120_000);
  afterAll(async () => {
    await Promise.all([prod?.stop(), scratch?.stop()]);
    await rm(dir, { recursive: true, force: true });
    for (const d of runDirs) await rm(d, { recursive: true, force: true });
  });

  it('finds the roles the dump names (owner, grantees, policy roles) in its restore script', async () => {
    const res = await execFileCapture(join(PG_BIN, 'pg_restore'), ['--schema-only', '--file', '-', join(folder, 'app.dump')]);
    expect(rolesInScript(res.stdout)).toEqual(['dr25_owner', 'dr25_reader', 'dr25_writer']);
    const bare = await execFileCapture(join(PG_BIN, 'pg_restore'), ['--schema-only', '--no-owner', '--no-privileges', '--file', '-', join(folder, 'app.dump')]);
    // Without owners and GRANTs, the policies still name their roles.
    expect(rolesInScript(bare.stdout)).toEqual(['dr25_reader', 'dr25_writer']);
  });

  it('the app works on the production database (the probes are right)', async () => {
    const { byId } = await drill(folder, { scratchUrl: prod.url });
    expect(byId['dr.app-on-restored-data']?.status, byId['dr.app-on-restored-data']?.message).toBe('passed');
  });

  it('default (privileges restored, missing roles created): the app passes on a fresh server → stand; the roles are dropped, an existing role is left alone', async () => {
    await scratch.query(`CREATE ROLE ${ROLES.reader} NOLOGIN; COMMENT ON ROLE ${ROLES.reader} IS 'ours, keep'`);
    const { byId, verdict, left } = await drill(folder);
    for (const id of ['dr.restore', 'dr.migration-version', 'dr.row-counts', 'dr.checksums', 'dr.app-on-restored-data', 'dr.cleanup']) {
      expect(byId[id]?.status, `${id}: ${byId[id]?.message}`).toBe('passed');
    }
    expect(byId['dr.app-on-restored-data']?.message).toContain('/api/todos/new → 200');
    expect(verdict.verdict).toBe('stand');
    expect(left).toEqual([]);
    // Created for the run (owner, writer) and gone again; the one that existed is untouched.
    expect(await roles(scratch)).toEqual([{ rolname: ROLES.reader, comment: 'ours, keep' }]);
    await scratch.query(`DROP ROLE ${ROLES.reader}`);
  });

  it("privileges: 'none' drops every GRANT: the app is refused (permission denied for schema api) → rollback, as docs/dr.md says", async () => {
    const { byId, verdict, left } = await drill(folder, { dr: { privileges: 'none' }, scratchUrl: prod.url });
    expect(byId['dr.restore']?.status).toBe('passed');
    expect(byId['dr.app-on-restored-data']?.status).toBe('failed');
    expect(byId['dr.app-on-restored-data']?.message).toContain('permission denied for schema api');
    expect(verdict.verdict).toBe('rollback');
    const pdvLeft = await prod.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'pdv_dr_%'`);
    expect(pdvLeft).toEqual([]);
    expect(left).toEqual([]);
  });

  it('rolesSql: the app logs in as the authenticator and SET ROLEs through the memberships the file grants → stand; the file\'s roles are dropped', async () => {
    const file = join(dir, 'roles.sql');
    await writeFile(file, `CREATE ROLE ${ROLES.auth} LOGIN NOINHERIT PASSWORD '${AUTH_PASSWORD}';\nGRANT ${ROLES.reader}, ${ROLES.writer} TO ${ROLES.auth};\n`);
    const { byId, verdict } = await drill(folder, { dr: { rolesSql: file }, appEnv: { APP_DB_USER: ROLES.auth, APP_DB_PASSWORD: AUTH_PASSWORD } });
    expect(byId['dr.app-on-restored-data']?.status, byId['dr.app-on-restored-data']?.message).toBe('passed');
    expect(verdict.verdict).toBe('stand');
    expect(await roles(scratch)).toEqual([]);
  });

  it('a scratch user that may not create roles: the restore is errored (hold), never rollback, and nothing is left', async () => {
    await scratch.query(`CREATE ROLE dr25_limited LOGIN CREATEDB PASSWORD 'lim-pw'`);
    const limitedUrl = scratch.url.replace(/\/\/postgres:[^@]+@/, '//dr25_limited:lim-pw@');
    const { byId, verdict, left } = await drill(folder, { scratchUrl: limitedUrl });
    expect(byId['dr.restore']?.status, byId['dr.restore']?.message).toBe('errored');
    expect(byId['dr.restore']?.message).toMatch(/creating "dr25_owner" was refused: permission denied/);
    expect(byId['dr.app-on-restored-data']?.status).toBe('skipped');
    expect(verdict.verdict).toBe('hold');
    expect(left).toEqual([]);
    expect((await roles(scratch)).map((r) => r.rolname)).toEqual(['dr25_limited']);
    await scratch.query('DROP ROLE dr25_limited');
  });

  it('a dump two migrations behind: rollback naming dr.migration-version first; counts, checksums and the app are skipped (the app never starts)', async () => {
    await prod.query('CREATE DATABASE app_old');
    await prod.query(APP_SCHEMA.replace(", ('002_todos'), ('003_done_flag')", ''), [], 'app_old');
    const old = join(dir, 'old');
    await dump(prod, 'app_old', join(old, 'app.dump'));
    const started = join(dir, 'app-started');
    const { byId, verdict, left } = await drill(old, { appEnv: { APP_STARTED_FILE: started } });
    expect(byId['dr.migration-version']?.status).toBe('failed');
    expect(byId['dr.migration-version']?.message).toContain('restored schema at migration 001_init, the release expects 003_done_flag');
    for (const id of ['dr.row-counts', 'dr.checksums', 'dr.app-on-restored-data', 'dr.rto']) {
      expect(byId[id], id).toMatchObject({ status: 'skipped', message: 'not run: dr.migration-version failed' });
    }
    expect(existsSync(started)).toBe(false);
    expect(verdict.verdict).toBe('rollback');
    expect(verdict.reasons[0]?.checkId).toBe('dr.migration-version');
    expect(byId['dr.cleanup']?.status).toBe('passed');
    expect(left).toEqual([]);
  });

  it('`pdv dr manifest` measures the dump on a scratch copy; the next drill accepts it', async () => {
    const res = await runCli(['dr', 'manifest', join(folder, 'app.dump'), '--created-at', new Date().toISOString()], { env: { DATABASE_URL: scratch.url }, cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    const manifest = JSON.parse(await readFile(join(folder, 'app.dump.manifest.json'), 'utf8')) as { rowCounts: Record<string, number>; migrationVersion: string };
    expect(manifest.rowCounts).toEqual({ 'api.todos': 3, schema_migrations: 3 });
    expect(manifest.migrationVersion).toBe('003_done_flag');
    // Whole database, whole rows: the drill's own tables are among them with the same columns.
    const { byId, verdict } = await drill(folder, { dr: { compareTo: 'manifest', criticalTables: ['api.todos', 'schema_migrations'], checksums: { 'api.todos': '*', schema_migrations: '*' } } });
    expect(byId['dr.row-counts']?.status, byId['dr.row-counts']?.message).toBe('passed');
    expect(byId['dr.row-counts']?.message).toContain('manifest');
    expect(byId['dr.checksums']?.status, byId['dr.checksums']?.message).toBe('passed');
    expect(verdict.verdict).toBe('stand');
    expect(await roles(scratch)).toEqual([]);
  });

  it('`pdv dr cleanup` removes roles an earlier run left (its database already gone), never an untagged one', async () => {
    const old = new Date(Date.now() - 3 * 3_600_000);
    await scratch.query(`CREATE ROLE dr25_left NOLOGIN; COMMENT ON ROLE dr25_left IS '${tagComment('crashed-run', old)}'; CREATE ROLE dr25_mine NOLOGIN`);
    const driver = createPostgresDriver({ source: {}, rootDir: dir, adminUrl: scratch.url, pgBin: PG_BIN, env: process.env });
    const found = await driver.listScratch(AbortSignal.timeout(30_000));
    expect(found).toEqual([expect.objectContaining({ name: 'pdv_dr_crashed_run', runId: 'crashed-run', roles: ['dr25_left'] })]);
    const report = await cleanupLeftovers(driver, { dryRun: false });
    expect(report.items).toEqual([expect.objectContaining({ runId: 'crashed-run', removed: true })]);
    expect((await roles(scratch)).map((r) => r.rolname)).toEqual(['dr25_mine']);
    await scratch.query('DROP ROLE dr25_mine');
  });

  it('`pdv dr manifest` on a file that is no archive: exit 3, the message names it, nothing written', async () => {
    const junk = join(dir, 'notes.txt');
    await writeFile(junk, 'not a dump');
    const res = await runCli(['dr', 'manifest', junk], { env: { DATABASE_URL: scratch.url }, cwd: dir });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('not a pg_dump custom-format archive');
    expect(res.stderr).toContain(junk);
    expect(existsSync(`${junk}.manifest.json`)).toBe(false);
  });

  it('a manifest written by hand from the recipe in docs/dr.md is byte for byte the one `pdv dr manifest` writes', async () => {
    const archive = join(folder, 'app.dump');
    const out = join(dir, 'cli.manifest.json');
    const res = await runCli(['dr', 'manifest', archive, '--out', out], { env: { DATABASE_URL: scratch.url }, cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(await handMadeManifest(archive));
  });
});

/** docs/dr.md's recipe, step by step, on the production database the dump was taken from. */
async function handMadeManifest(archive: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const { stat } = await import('node:fs/promises');
  const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
  const bytes = await readFile(archive);
  const tables = ['api.todos', 'schema_migrations'];
  const rowCounts: Record<string, number> = {};
  const checksums: Record<string, { columns: '*'; md5: string }> = {};
  for (const t of tables) {
    const rows = await prod.query<{ row: string }>(`SELECT t::text AS row FROM ${t} t`, [], 'app');
    rowCounts[t] = rows.length;
    const hashes = rows.map((r) => md5(r.row)).sort();
    checksums[t] = { columns: '*', md5: md5(hashes.join(',')) };
  }
  const versions = await prod.query<{ version: string }>('SELECT version FROM schema_migrations', [], 'app');
  const manifest = {
    schemaVersion: 1,
    createdAt: (await stat(archive)).mtime.toISOString(),
    driver: 'postgres',
    archive: { file: 'app.dump', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
    migrationVersion: versions.map((v) => v.version).sort().at(-1),
    rowCounts,
    checksums,
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

// Keep the fixture path honest: a moved app would make every drill here errored, not failed.
if (!existsSync(resolve(APP))) throw new Error(`missing test app ${APP}`);
