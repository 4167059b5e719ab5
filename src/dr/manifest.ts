import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { quoteIdent } from './naming.ts';
import { DEFAULT_MIGRATIONS, migrationQuery, type MigrationSource } from './migrations.ts';
import type { BackupManifest, Queryable } from './types.ts';

// The manifest is written when the backup is made (a nightly job, the demo at
// start) and holds what the restored copy must reproduce. The compare
// functions are pure so they are tested table-driven.

export function manifestPathFor(archive: string): string {
  return `${archive}.manifest.json`;
}

export async function readManifest(archive: string): Promise<BackupManifest | undefined> {
  let text: string;
  try {
    text = await readFile(manifestPathFor(archive), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = JSON.parse(text) as Partial<BackupManifest>;
  if (parsed.schemaVersion !== 1 || typeof parsed.createdAt !== 'string' || !parsed.archive) {
    throw new Error(`${manifestPathFor(archive)}: not a pdv backup manifest (schemaVersion 1)`);
  }
  return parsed as BackupManifest;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The newest applied version. Sorted here, not by SQL: a varchar history
 * table sorts "9" after "10" as text.
 */
export async function migrationVersion(db: Queryable, source: MigrationSource | string = DEFAULT_MIGRATIONS): Promise<string | null> {
  const src = typeof source === 'string' ? { ...DEFAULT_MIGRATIONS, table: source } : source;
  const { rows } = await db.query<{ version: string }>(migrationQuery(src));
  let newest: string | null = null;
  for (const r of rows) if (newest === null || compareMigrations(r.version, newest) > 0) newest = r.version;
  return newest;
}

export async function rowCount(db: Queryable, table: string): Promise<number> {
  const { rows } = await db.query<{ n: string | number }>(`SELECT count(*)::bigint AS n FROM ${quoteIdent(table)}`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Order-independent checksum (docs/dr.md has a worked example): the md5 (hex) of
 * each row's text `ROW(cols)::text` (whole row: `t::text`), sorted bytewise,
 * joined with ",", and the md5 of that; an empty table gives md5('').
 */
export async function tableChecksum(db: Queryable, table: string, columns: string[] | '*'): Promise<string> {
  const row = columns === '*' ? 't' : `ROW(${columns.map((c) => `t.${quoteIdent(c)}`).join(', ')})`;
  const { rows } = await db.query<{ sum: string | null }>(
    `SELECT md5(coalesce(string_agg(h, ',' ORDER BY h COLLATE "C"), '')) AS sum FROM (SELECT md5(${row}::text) AS h FROM ${quoteIdent(table)} t) s`,
  );
  return rows[0]?.sum ?? '';
}

/** Every user table in the database (for manifests that record them all). */
export async function userTables(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT CASE WHEN schemaname = 'public' THEN tablename ELSE schemaname || '.' || tablename END AS name
       FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

export interface TakeManifestOptions {
  /** Tables to count (default: all user tables). */
  tables?: string[];
  /** table → columns to checksum (default: every counted table, whole row). */
  checksums?: Record<string, string[] | '*'>;
  /** The migration history to read (default Rails' schema_migrations.version). */
  migrations?: MigrationSource;
  createdAt?: Date;
}

/** Measure a database for a manifest (the archive part is filled in by the caller). */
export async function takeManifestFacts(
  db: Queryable,
  opts: TakeManifestOptions = {},
): Promise<Pick<BackupManifest, 'createdAt' | 'migrationVersion' | 'rowCounts' | 'checksums'>> {
  const tables = opts.tables ?? (await userTables(db));
  const rowCounts: Record<string, number> = {};
  for (const t of tables) rowCounts[t] = await rowCount(db, t);
  const wanted = opts.checksums ?? Object.fromEntries(tables.map((t) => [t, '*' as const]));
  const checksums: BackupManifest['checksums'] = {};
  for (const [t, columns] of Object.entries(wanted)) checksums[t] = { columns, md5: await tableChecksum(db, t, columns) };
  let migration: string | null = null;
  try {
    migration = await migrationVersion(db, opts.migrations);
  } catch {
    migration = null; // no migrations table: recorded as unknown
  }
  return { createdAt: (opts.createdAt ?? new Date()).toISOString(), migrationVersion: migration, rowCounts, checksums };
}

export interface CountComparison {
  table: string;
  expected: number | undefined;
  actual: number;
  ok: boolean;
}

/** Row counts within a relative tolerance; a table missing from the expectation fails. */
export function compareRowCounts(expected: Record<string, number>, actual: Record<string, number>, tolerance = 0): CountComparison[] {
  return Object.entries(actual).map(([table, n]) => {
    const want = expected[table];
    const ok = want !== undefined && Math.abs(n - want) <= Math.floor(tolerance * want);
    return { table, expected: want, actual: n, ok };
  });
}

export interface ChecksumComparison {
  table: string;
  expected: string | undefined;
  actual: string;
  ok: boolean;
  why?: string;
}

function sameColumns(a: string[] | '*', b: string[] | '*'): boolean {
  if (a === '*' || b === '*') return a === b;
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

export function compareChecksums(
  manifest: BackupManifest['checksums'],
  actual: Record<string, { columns: string[] | '*'; md5: string }>,
): ChecksumComparison[] {
  return Object.entries(actual).map(([table, { columns, md5 }]) => {
    const want = manifest[table];
    if (!want) return { table, expected: undefined, actual: md5, ok: false, why: 'not in the manifest' };
    if (!sameColumns(want.columns, columns)) {
      return { table, expected: undefined, actual: md5, ok: false, why: `manifest has columns ${JSON.stringify(want.columns)}` };
    }
    return { table, expected: want.md5, actual: md5, ok: want.md5 === md5 };
  });
}

const TOKEN = /\d+|\D+/g;
const isDigits = (t: string | undefined): t is string => t !== undefined && /^\d/.test(t);

/**
 * Order of two migration versions: digit runs compare as numbers ("9" < "10",
 * "1.9.0" < "1.10.0", timestamps), the rest as text; a semver pre-release
 * ("1.0.0-rc.1") comes before its release.
 */
export function compareMigrations(a: string, b: string): number {
  const ta = a.match(TOKEN) ?? [];
  const tb = b.match(TOKEN) ?? [];
  for (let i = 0; ; i++) {
    const x = ta[i];
    const y = tb[i];
    if (x === undefined && y === undefined) return 0;
    if (x === undefined) return y!.startsWith('-') && isDigits(tb[i - 1]) ? 1 : -1;
    if (y === undefined) return x.startsWith('-') && isDigits(ta[i - 1]) ? -1 : 1;
    if (x === y) continue;
    if (isDigits(x) && isDigits(y)) {
      const nx = BigInt(x);
      const ny = BigInt(y);
      if (nx !== ny) return nx < ny ? -1 : 1;
      continue; // "007" and "7" are the same number
    }
    return x < y ? -1 : 1;
  }
}

const VERSION_KEY = /^[vV]?(\d+(?:\.\d+)*)/;

/** The leading version number ("0007_x" → [7], "1.10.0" → [1, 10, 0]), unless it is a pre-release. */
function versionKey(v: string): bigint[] | undefined {
  const m = VERSION_KEY.exec(v);
  if (!m || v.slice(m[0].length).startsWith('-')) return undefined;
  return m[1]!.split('.').map((n) => BigInt(n));
}

/** Versions match exactly, or by their whole leading version number ("0007" = "7_add_renders", "1.2" = "1.2.0", "1.10.0" ≠ "1.1.0"). */
export function sameMigration(a: string, b: string): boolean {
  if (a === b) return true;
  const ka = versionKey(a);
  const kb = versionKey(b);
  if (!ka || !kb) return false;
  const n = Math.max(ka.length, kb.length);
  for (let i = 0; i < n; i++) if ((ka[i] ?? 0n) !== (kb[i] ?? 0n)) return false;
  return true;
}

/** The release's expected migration: the newest file in the migrations folder. */
export async function newestMigration(dir: string): Promise<string | undefined> {
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.')).map((n) => n.replace(/\.[^.]+$/, ''));
  names.sort(compareMigrations);
  return names.at(-1);
}
