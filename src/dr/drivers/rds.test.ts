import {
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeStageContext } from '../../../e2e/helpers/stage-context.ts';
import { skipWithoutPostgres, startPostgres, type TestPostgres } from '../../../e2e/helpers/postgres.ts';
import { runDr } from '../../stages/dr/run.ts';
import { cleanupLeftovers } from '../cleanup.ts';
import { createDriver } from '../index.ts';
import { scratchInstanceId, TAG_KEY } from '../naming.ts';

// RDS through aws-sdk-client-mock against the real SDK client. The
// "restored instance" endpoint is a real PostgreSQL on loopback, so the
// validations run over a real pg connection.

const rds = mockClient(RDSClient);
let server: TestPostgres;
const runDirs: string[] = [];

function notFound(): Error {
  return Object.assign(new Error('DBInstance not found'), { name: 'DBInstanceNotFoundFault' });
}

/** A fake RDS control plane for one scratch instance: creating → available, deleting → gone. */
function fakeInstance(opts: { becomesAvailableAfter?: number; finalState?: string; deleteFails?: Error } = {}) {
  const state = { polls: 0, created: false, deleted: false };
  rds.on(DescribeDBInstancesCommand).callsFake((input: { DBInstanceIdentifier?: string }) => {
    if (input.DBInstanceIdentifier === 'prod-db') {
      return { DBInstances: [{ DBInstanceIdentifier: 'prod-db', DBInstanceStatus: 'available', LatestRestorableTime: new Date(Date.now() - 5 * 60_000) }] };
    }
    if (!input.DBInstanceIdentifier) return { DBInstances: [] };
    if (!state.created || state.deleted) throw notFound();
    state.polls++;
    const ready = state.polls > (opts.becomesAvailableAfter ?? 2);
    const inst: DBInstance = {
      DBInstanceIdentifier: input.DBInstanceIdentifier,
      DBInstanceStatus: ready ? (opts.finalState ?? 'available') : 'creating',
      ...(ready ? { Endpoint: { Address: '127.0.0.1', Port: server.port } } : {}),
    };
    return { DBInstances: [inst] };
  });
  const created = () => {
    state.created = true;
    return {};
  };
  rds.on(RestoreDBInstanceFromDBSnapshotCommand).callsFake(created);
  rds.on(RestoreDBInstanceToPointInTimeCommand).callsFake(created);
  rds.on(DeleteDBInstanceCommand).callsFake(() => {
    if (opts.deleteFails) throw opts.deleteFails;
    if (!state.created) throw notFound();
    state.deleted = true;
    return {};
  });
  return state;
}

function snapshots() {
  rds.on(DescribeDBSnapshotsCommand).resolves({
    DBSnapshots: [
      { DBSnapshotIdentifier: 'rds:prod-db-2026-11-25', SnapshotType: 'automated', Status: 'available', SnapshotCreateTime: new Date(Date.now() - 26 * 3_600_000) },
      { DBSnapshotIdentifier: 'manual-before-deploy', SnapshotType: 'manual', Status: 'available', SnapshotCreateTime: new Date(Date.now() - 2 * 3_600_000) },
      { DBSnapshotIdentifier: 'manual-in-progress', SnapshotType: 'manual', Status: 'creating', SnapshotCreateTime: new Date(Date.now() - 60_000) },
    ],
  });
}

async function run(dr: Record<string, unknown> = {}) {
  const ctx = await makeStageContext({
    target: { environment: 'test', baseUrl: 'http://127.0.0.1:9' },
    secrets: { PDV_DR_RDS_PASSWORD: server.password },
    config: {
      stages: {
        dr: {
          driver: 'rds',
          source: { instance: 'prod-db' },
          rds: { database: 'rdsapp', username: 'postgres', ssl: 'disable', pollInterval: 1, availableTimeout: 2_000, deleteTimeout: 2_000, ...((dr.rds as object | undefined) ?? {}) },
          criticalTables: ['projects'],
          checksums: { projects: ['id', 'title'] },
          compareTo: 'live',
          expectedMigration: '003_renders',
          rpoTarget: '24h',
          ...Object.fromEntries(Object.entries(dr).filter(([k]) => k !== 'rds')),
        },
      },
    },
  });
  ctx.settings.runtime.databaseUrl = server.urlFor('rdsapp');
  runDirs.push(ctx.runDir);
  const client = new RDSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  const driver = await createDriver(ctx.config, { rootDir: ctx.settings.rootDir, runtime: ctx.settings.runtime, env: { PDV_DR_RDS_PASSWORD: server.password }, rdsClient: client });
  await runDr(ctx, { driver });
  return { ctx, byId: Object.fromEntries(ctx.checks.map((c) => [c.id, c])), scratch: scratchInstanceId(ctx.runId) };
}

describe.skipIf(skipWithoutPostgres())('rds driver (aws-sdk-client-mock)', () => {
  beforeAll(async () => {
    server = await startPostgres();
    await server.query('CREATE DATABASE rdsapp');
    await server.query(
      `CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz DEFAULT now());
       INSERT INTO schema_migrations (version) VALUES ('001_init'), ('002_projects'), ('003_renders');
       CREATE TABLE projects (id serial PRIMARY KEY, title text NOT NULL);
       INSERT INTO projects (title) SELECT 'p' || g FROM generate_series(1, 40) g;`,
      [],
      'rdsapp',
    );
  });
  afterAll(async () => {
    await server?.stop();
    for (const d of runDirs) await rm(d, { recursive: true, force: true });
  });
  beforeEach(() => rds.reset());

  it('restores the newest available snapshot into a tagged instance, validates over pg, deletes with SkipFinalSnapshot', async () => {
    snapshots();
    const state = fakeInstance();
    const { byId, scratch } = await run();
    for (const id of ['dr.backup-found', 'dr.rpo', 'dr.archive-reads', 'dr.restore', 'dr.migration-version', 'dr.row-counts', 'dr.checksums', 'dr.cleanup']) {
      expect(byId[id]?.status, `${id}: ${byId[id]?.message}`).toBe('passed');
    }
    const restore = rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0]?.args[0].input;
    expect(restore).toMatchObject({ DBSnapshotIdentifier: 'manual-before-deploy', DBInstanceIdentifier: scratch, PubliclyAccessible: false, DeletionProtection: false });
    expect(restore?.Tags).toContainEqual({ Key: TAG_KEY, Value: expect.any(String) });
    expect(rds.commandCalls(DeleteDBInstanceCommand)[0]?.args[0].input).toMatchObject({ DBInstanceIdentifier: scratch, SkipFinalSnapshot: true });
    expect(state.deleted).toBe(true);
    expect(byId['dr.rpo']?.message).toContain('2h');
  });

  it('restores to the latest restorable time in pitr mode', async () => {
    const state = fakeInstance();
    const { byId } = await run({ rds: { mode: 'pitr' } });
    expect(byId['dr.restore']?.status).toBe('passed');
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0]?.args[0].input).toMatchObject({ SourceDBInstanceIdentifier: 'prod-db', UseLatestRestorableTime: true });
    expect(byId['dr.rpo']?.observed).toBeGreaterThanOrEqual(5 * 60_000);
    expect(state.deleted).toBe(true);
  });

  it('restore fails: the restore check fails and delete is still attempted', async () => {
    snapshots();
    fakeInstance();
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejects(Object.assign(new Error('Insufficient capacity'), { name: 'InsufficientDBInstanceCapacityFault' }));
    const { byId, scratch } = await run();
    expect(byId['dr.restore']).toMatchObject({ status: 'failed', severity: 'critical' });
    expect(byId['dr.restore']?.message).toContain('Insufficient capacity');
    expect(rds.commandCalls(DeleteDBInstanceCommand).map((c) => c.args[0].input.DBInstanceIdentifier)).toEqual([scratch]);
    // Nothing was created, so "not found" on delete is a clean cleanup.
    expect(byId['dr.cleanup']?.status).toBe('passed');
    expect(byId['dr.migration-version']?.status).toBe('skipped');
  });

  it('waiter times out: the restore check fails naming the state, and the instance is deleted', async () => {
    snapshots();
    const state = fakeInstance({ becomesAvailableAfter: Number.POSITIVE_INFINITY });
    const { byId } = await run({ rds: { availableTimeout: 30 } });
    expect(byId['dr.restore']?.status).toBe('failed');
    expect(byId['dr.restore']?.message).toMatch(/still "creating"/);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(1);
    expect(state.deleted).toBe(true);
    expect(byId['dr.cleanup']?.status).toBe('passed');
  });

  it('instance ends in "failed": restore fails at once and delete is attempted', async () => {
    snapshots();
    fakeInstance({ finalState: 'incompatible-restore' });
    const { byId } = await run();
    expect(byId['dr.restore']?.message).toContain('incompatible-restore');
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(1);
  });

  it('delete fails: the cleanup check fails and points at `pdv dr cleanup`', async () => {
    snapshots();
    fakeInstance({ deleteFails: Object.assign(new Error('Access denied'), { name: 'AccessDenied' }) });
    const { byId } = await run();
    expect(byId['dr.restore']?.status).toBe('passed');
    expect(byId['dr.cleanup']).toMatchObject({ status: 'failed', severity: 'minor' });
    expect(byId['dr.cleanup']?.message).toContain('Access denied');
    expect(byId['dr.cleanup']?.message).toContain('pdv dr cleanup');
  });

  it('no snapshot at all: backup-found fails (rollback), nothing is restored', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
    fakeInstance();
    const { byId } = await run();
    expect(byId['dr.backup-found']).toMatchObject({ status: 'failed', onFail: 'rollback' });
    expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toHaveLength(0);
  });

  it('the master password never reaches a check or extra', async () => {
    snapshots();
    fakeInstance();
    const { ctx } = await run();
    expect(JSON.stringify(ctx.events)).not.toContain(server.password);
  });

  it('lists tagged instances as leftovers and cleanup deletes them (dry run only lists)', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        { DBInstanceIdentifier: 'prod-db', TagList: [{ Key: 'team', Value: 'core' }] },
        { DBInstanceIdentifier: 'pdv-dr-old-run', DBInstanceStatus: 'available', TagList: [{ Key: TAG_KEY, Value: 'old-run' }, { Key: 'pdv:created', Value: '2026-11-20T00:00:00Z' }] },
      ],
    });
    const client = new RDSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
    const { createRdsDriver } = await import('./rds.ts');
    const driver = createRdsDriver({ client, instance: 'prod-db', mode: 'snapshot', username: 'u', password: 'p', database: 'd', pollIntervalMs: 1, availableTimeoutMs: 50, deleteTimeoutMs: 50 });
    const dry = await cleanupLeftovers(driver, { dryRun: true });
    expect(dry.items).toEqual([expect.objectContaining({ name: 'pdv-dr-old-run', runId: 'old-run', removed: false })]);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    rds.on(DeleteDBInstanceCommand).resolves({});
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'pdv-dr-old-run' }).rejects(notFound());
    const real = await cleanupLeftovers(driver, { dryRun: false });
    expect(real.items).toEqual([expect.objectContaining({ name: 'pdv-dr-old-run', removed: true })]);
    expect(rds.commandCalls(DeleteDBInstanceCommand)[0]?.args[0].input).toMatchObject({ DBInstanceIdentifier: 'pdv-dr-old-run', SkipFinalSnapshot: true });
  });
});
