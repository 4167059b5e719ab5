// The restore-driver interface: every driver (pglite, postgres, rds) finds the
// newest backup, proves it reads, restores it somewhere disposable and tagged
// with the run id, and removes that copy again — plus leftovers of earlier runs.

/** Anything with pg's query shape: a pg.Client or a PGlite instance. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

/** Facts taken from the database when the backup was made (written beside the archive). */
export interface BackupManifest {
  schemaVersion: 1;
  /** ISO time the backup was taken: the restorable point for RPO. */
  createdAt: string;
  driver: 'pglite' | 'postgres';
  archive: { file: string; bytes: number; sha256: string };
  migrationVersion: string | null;
  rowCounts: Record<string, number>;
  /** table → checksum over the listed columns ("*" = the whole row). */
  checksums: Record<string, { columns: string[] | '*'; md5: string }>;
}

export interface BackupRef {
  /** File path, snapshot id or "pitr:<instance>". */
  id: string;
  /** The restorable point (manifest time, file mtime, snapshot time, LatestRestorableTime). */
  createdAt: Date;
  manifest?: BackupManifest;
  /** Driver-specific details for the report. */
  details: Record<string, unknown>;
}

export interface ArchiveInfo {
  ok: boolean;
  message: string;
  /** e.g. TOC entries, tar members. */
  entries?: number;
}

/** A restored copy, ready for validations; `app` says how to point the app at it. */
export interface RestoredCopy {
  db: Queryable;
  /** Placeholders for the app command ({dataDir}, {databaseUrl}) and env for it. */
  app: { placeholders: Record<string, string>; env: Record<string, string> };
  /** Release the validation connection (the copy itself stays until drop). */
  close(): Promise<void>;
}

export interface ScratchRef {
  /** Database name, instance id or folder. */
  name: string;
  runId: string;
  createdAt?: string;
  /** postgres: roles this run created on the scratch server (dropped with the copy). */
  roles?: string[];
}

export interface RestoreDriver {
  readonly kind: 'pglite' | 'postgres' | 'rds';
  /** The newest backup, or undefined when there is none. */
  locate(signal: AbortSignal): Promise<BackupRef | undefined>;
  verifyArchive(backup: BackupRef, signal: AbortSignal): Promise<ArchiveInfo>;
  /** Restore into the scratch target `scratch`; throws on failure (the copy may exist: drop it). */
  restore(backup: BackupRef, scratch: ScratchRef, signal: AbortSignal): Promise<RestoredCopy>;
  /** Remove the scratch copy; no error when it does not exist. */
  drop(scratch: ScratchRef, signal: AbortSignal): Promise<void>;
  /** Scratch copies tagged by pdv (any run). */
  listScratch(signal: AbortSignal): Promise<ScratchRef[]>;
}
