import { randomBytes } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { writeFileAtomic } from '../platform/fs.ts';
import { createPgliteDriver } from './drivers/pglite.ts';
import { createPostgresDriver } from './drivers/postgres.ts';
import { manifestPathFor, sha256File, takeManifestFacts } from './manifest.ts';
import { manifestJson } from './manifest-text.ts';
import type { MigrationSource } from './migrations.ts';
import { scratchNameFor } from './naming.ts';
import type { BackupManifest, RestoreDriver, ScratchRef } from './types.ts';
import type { Environ } from '../core/types.ts';

export { manifestJson };

// `pdv dr manifest <dump>` and the package's `backupManifest()`: the manifest
// a backup job stores beside its dump, measured on the dump itself — restored
// into a scratch copy (a database on `databaseUrl` for pg_dump archives, PGlite
// for PGlite tarballs) with the same code the drill checks it with, so the
// recipe is pdv's own. The scratch copy is removed on every path.

export interface BackupManifestOptions {
  /** The environment the client tools run with (the package's `backupManifest()` defaults it to this process's). */
  env: Environ;
  /** pg_dump archives: admin URL of the server the scratch database is created on. */
  databaseUrl?: string;
  /** Folder with pg_restore. */
  pgBin?: string;
  /** Tables to count (default: every user table). */
  tables?: string[];
  /** table → columns to checksum, '*' = whole row (default: every counted table, whole row). */
  checksums?: Record<string, string[] | '*'>;
  /** The migration history (default Rails' schema_migrations.version). */
  migrations?: MigrationSource;
  /** When the backup was taken (default: the archive file's modification time). */
  createdAt?: Date;
  /** pg_dump archives: restore options, as for the drill (default: keep privileges, create missing roles). */
  privileges?: 'restore' | 'none';
  roles?: 'create' | 'existing';
  signal?: AbortSignal;
}

/** What the archive is, from its first bytes: a pg_dump custom-format archive or a PGlite (gzip) tarball. */
export async function archiveKind(file: string): Promise<'postgres' | 'pglite'> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(5);
    await fh.read(head, 0, 5, 0);
    if (head.toString('latin1') === 'PGDMP') return 'postgres';
    if (head[0] === 0x1f && head[1] === 0x8b) return 'pglite';
  } finally {
    await fh.close();
  }
  throw new UsageError('not a pg_dump custom-format archive (pg_dump -Fc) nor a PGlite tarball', file);
}

function driverFor(kind: 'postgres' | 'pglite', archive: string, opts: BackupManifestOptions): RestoreDriver {
  if (kind === 'pglite') return createPgliteDriver({ source: { path: archive }, rootDir: '/' });
  if (!opts.databaseUrl) throw new UsageError('a pg_dump archive is measured on a scratch database: set DATABASE_URL (or --database-url-env) to a server pdv may create a database on', archive);
  return createPostgresDriver({
    source: { path: archive },
    rootDir: '/',
    adminUrl: opts.databaseUrl,
    ...(opts.pgBin ? { pgBin: opts.pgBin } : {}),
    ...(opts.privileges ? { privileges: opts.privileges } : {}),
    ...(opts.roles ? { roles: opts.roles } : {}),
    env: opts.env,
  });
}

/** Measure a backup archive for its manifest (restores it into a scratch copy, then removes the copy). */
export async function backupManifest(archive: string, opts: BackupManifestOptions): Promise<BackupManifest> {
  const kind = await archiveKind(archive);
  const driver = driverFor(kind, archive, opts);
  const signal = opts.signal ?? new AbortController().signal;
  const info = await stat(archive);
  const createdAt = opts.createdAt ?? info.mtime;
  const runId = `manifest-${randomBytes(4).toString('hex')}`;
  const scratch: ScratchRef = { name: scratchNameFor(kind, runId), runId };
  try {
    const copy = await driver.restore({ id: archive, createdAt, details: {} }, scratch, signal);
    try {
      const facts = await takeManifestFacts(copy.db, {
        ...(opts.tables?.length ? { tables: opts.tables } : {}),
        ...(opts.checksums && Object.keys(opts.checksums).length ? { checksums: opts.checksums } : {}),
        ...(opts.migrations ? { migrations: opts.migrations } : {}),
        createdAt,
      });
      return { schemaVersion: 1, ...facts, driver: kind, archive: { file: basename(archive), bytes: info.size, sha256: await sha256File(archive) } };
    } finally {
      await copy.close().catch(() => undefined);
    }
  } finally {
    await driver.drop(scratch, AbortSignal.timeout(120_000));
  }
}

/** backupManifest, written atomically to `out` (default `<archive>.manifest.json`). */
export async function writeBackupManifest(archive: string, opts: BackupManifestOptions & { out?: string }): Promise<{ path: string; manifest: BackupManifest; text: string }> {
  const manifest = await backupManifest(archive, opts);
  const text = manifestJson(manifest);
  const path = opts.out ?? manifestPathFor(archive);
  await writeFileAtomic(path, text);
  return { path, manifest, text };
}
