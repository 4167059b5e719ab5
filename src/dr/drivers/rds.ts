import {
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type DBInstance,
  type DBSnapshot,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { TAG_KEY } from '../naming.ts';
import type { ArchiveInfo, BackupRef, RestoreDriver, RestoredCopy, ScratchRef } from '../types.ts';
import { waitUntil, type PollOutcome } from '../wait.ts';

// RDS: the newest available snapshot (automated or manual) or the latest
// restorable time → a temporary instance tagged pdv:run-id → waited on until
// available → validated over pg → deleted with SkipFinalSnapshot and waited
// on until gone. The stage calls drop() on every path, failures included.

export interface RdsDriverOptions {
  client: RDSClient;
  instance: string;
  mode: 'snapshot' | 'pitr';
  username: string;
  password: string | undefined;
  database: string;
  instanceClass?: string;
  subnetGroup?: string;
  securityGroups?: string[];
  ssl?: 'disable' | 'require' | 'verify';
  caFile?: string;
  pollIntervalMs: number;
  availableTimeoutMs: number;
  deleteTimeoutMs: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const FAILED_STATES = new Set(['failed', 'incompatible-restore', 'incompatible-parameters', 'incompatible-network', 'storage-full', 'deleting', 'inaccessible-encryption-credentials']);

function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'DBInstanceNotFoundFault' || name === 'DBInstanceNotFound';
}

async function allSnapshots(client: RDSClient, instance: string): Promise<DBSnapshot[]> {
  const out: DBSnapshot[] = [];
  let marker: string | undefined;
  do {
    // Without SnapshotType, RDS returns both automated and manual snapshots.
    const page = await client.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: instance, ...(marker ? { Marker: marker } : {}) }));
    out.push(...(page.DBSnapshots ?? []));
    marker = page.Marker;
  } while (marker);
  return out;
}

async function describeInstance(client: RDSClient, id: string): Promise<DBInstance | undefined> {
  try {
    const res = await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    return res.DBInstances?.[0];
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The restored instance, connected as the master user, and the URL the restored app is given. */
async function connectRestored(opts: RdsDriverOptions, endpoint: { host: string; port: number }): Promise<RestoredCopy> {
  if (opts.password === undefined) throw new Error('the restored instance needs the master password: set rds.passwordEnv');
  const ssl = opts.ssl === 'disable' ? false : opts.ssl === 'verify' && opts.caFile ? { ca: readFileSync(opts.caFile, 'utf8') } : { rejectUnauthorized: false };
  const db = new pg.Client({ host: endpoint.host, port: endpoint.port, user: opts.username, password: opts.password, database: opts.database, ssl });
  await db.connect();
  const u = new URL(`postgres://${endpoint.host}:${endpoint.port}/${encodeURIComponent(opts.database)}`);
  u.username = opts.username;
  u.password = opts.password;
  if (opts.ssl !== 'disable') u.searchParams.set('sslmode', 'require');
  const databaseUrl = u.toString();
  return { db, app: { placeholders: { databaseUrl }, env: { DATABASE_URL: databaseUrl } }, close: () => db.end() };
}

/** Every instance pdv tagged with a run id (scratch copies, for cleanup). */
async function listTagged(client: RDSClient): Promise<ScratchRef[]> {
  const out: ScratchRef[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(new DescribeDBInstancesCommand(marker ? { Marker: marker } : {}));
    for (const inst of page.DBInstances ?? []) {
      const runId = inst.TagList?.find((t) => t.Key === TAG_KEY)?.Value;
      const created = inst.TagList?.find((t) => t.Key === 'pdv:created')?.Value;
      if (runId && inst.DBInstanceIdentifier) out.push({ name: inst.DBInstanceIdentifier, runId, ...(created ? { createdAt: created } : {}) });
    }
    marker = page.Marker;
  } while (marker);
  return out;
}

export function createRdsDriver(opts: RdsDriverOptions): RestoreDriver {
  const { client } = opts;
  const wait = (what: string, timeoutMs: number, signal: AbortSignal, poll: () => Promise<PollOutcome>) =>
    waitUntil(poll, { what, timeoutMs, intervalMs: opts.pollIntervalMs, signal, ...(opts.sleep ? { sleep: opts.sleep } : {}) });

  return {
    kind: 'rds',

    async locate(): Promise<BackupRef | undefined> {
      if (opts.mode === 'pitr') {
        const inst = await describeInstance(client, opts.instance);
        if (!inst?.LatestRestorableTime) return undefined;
        return { id: `pitr:${opts.instance}`, createdAt: inst.LatestRestorableTime, details: { instance: opts.instance, latestRestorableTime: inst.LatestRestorableTime.toISOString() } };
      }
      const snaps = (await allSnapshots(client, opts.instance)).filter((s) => s.SnapshotCreateTime && s.DBSnapshotIdentifier);
      snaps.sort((a, b) => (b.SnapshotCreateTime?.getTime() ?? 0) - (a.SnapshotCreateTime?.getTime() ?? 0));
      const newest = snaps.find((s) => s.Status === 'available') ?? snaps[0];
      if (!newest?.DBSnapshotIdentifier || !newest.SnapshotCreateTime) return undefined;
      return {
        id: newest.DBSnapshotIdentifier,
        createdAt: newest.SnapshotCreateTime,
        details: { snapshot: newest.DBSnapshotIdentifier, type: newest.SnapshotType, status: newest.Status, engine: newest.Engine, engineVersion: newest.EngineVersion },
      };
    },

    async verifyArchive(backup: BackupRef): Promise<ArchiveInfo> {
      if (opts.mode === 'pitr') return { ok: true, message: `point-in-time restore to ${backup.createdAt.toISOString()}` };
      const status = String(backup.details.status ?? 'unknown');
      return status === 'available'
        ? { ok: true, message: `snapshot ${backup.id} is available (${String(backup.details.type ?? 'unknown type')})` }
        : { ok: false, message: `snapshot ${backup.id} is "${status}", not available` };
    },

    async restore(backup: BackupRef, scratch: ScratchRef, signal: AbortSignal): Promise<RestoredCopy> {
      const Tags = [
        { Key: TAG_KEY, Value: scratch.runId },
        { Key: 'pdv:created', Value: new Date().toISOString() },
      ];
      const common = {
        ...(opts.instanceClass ? { DBInstanceClass: opts.instanceClass } : {}),
        ...(opts.subnetGroup ? { DBSubnetGroupName: opts.subnetGroup } : {}),
        ...(opts.securityGroups?.length ? { VpcSecurityGroupIds: opts.securityGroups } : {}),
        PubliclyAccessible: false,
        MultiAZ: false,
        DeletionProtection: false,
        Tags,
      };
      if (opts.mode === 'pitr') {
        await client.send(
          new RestoreDBInstanceToPointInTimeCommand({ SourceDBInstanceIdentifier: opts.instance, TargetDBInstanceIdentifier: scratch.name, UseLatestRestorableTime: true, ...common }),
          { abortSignal: signal },
        );
      } else {
        await client.send(new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: scratch.name, DBSnapshotIdentifier: backup.id, ...common }), { abortSignal: signal });
      }
      let endpoint: { host: string; port: number } | undefined;
      await wait(`instance ${scratch.name} to become available`, opts.availableTimeoutMs, signal, async () => {
        const inst = await describeInstance(client, scratch.name);
        const state = inst?.DBInstanceStatus ?? 'not found';
        if (FAILED_STATES.has(state)) return { fail: `status "${state}"` };
        if (state !== 'available') return { done: false, state };
        if (!inst?.Endpoint?.Address) return { fail: 'available but has no endpoint' };
        endpoint = { host: inst.Endpoint.Address, port: inst.Endpoint.Port ?? 5432 };
        return { done: true };
      });
      if (!endpoint) throw new Error(`instance ${scratch.name}: no endpoint`);
      return connectRestored(opts, endpoint);
    },

    async drop(scratch: ScratchRef, signal: AbortSignal): Promise<void> {
      try {
        await client.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: scratch.name, SkipFinalSnapshot: true, DeleteAutomatedBackups: true }), { abortSignal: signal });
      } catch (err) {
        if (isNotFound(err)) return; // never created (restore refused) or already gone
        const name = (err as { name?: string }).name;
        // Deleting an instance that is still creating is refused: wait for it to settle, then retry once.
        if (name !== 'InvalidDBInstanceStateFault') throw err;
        await wait(`instance ${scratch.name} to become deletable`, opts.availableTimeoutMs, signal, async () => {
          const inst = await describeInstance(client, scratch.name);
          const state = inst?.DBInstanceStatus ?? 'gone';
          return state === 'available' || state === 'failed' || state === 'gone' || state === 'deleting' ? { done: true } : { done: false, state };
        });
        try {
          await client.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: scratch.name, SkipFinalSnapshot: true, DeleteAutomatedBackups: true }), { abortSignal: signal });
        } catch (again) {
          if (!isNotFound(again) && (again as { name?: string }).name !== 'InvalidDBInstanceStateFault') throw again;
        }
      }
      await wait(`instance ${scratch.name} to be deleted`, opts.deleteTimeoutMs, signal, async () => {
        const inst = await describeInstance(client, scratch.name);
        return inst ? { done: false, state: inst.DBInstanceStatus ?? 'unknown' } : { done: true };
      });
    },

    listScratch: () => listTagged(client),
  };
}
