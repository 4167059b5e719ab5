import { compareChecksums, compareRowCounts, migrationVersion, rowCount, sameMigration, tableChecksum } from './manifest.ts';
import { describeSource, type MigrationSource } from './migrations.ts';
import type { BackupManifest, Queryable } from './types.ts';

// The validations run on a restored copy. Each returns the facts for one
// check; nothing here decides the verdict.

export interface Outcome {
  status: 'passed' | 'failed' | 'errored' | 'skipped';
  message: string;
  evidence: Array<{ kind: 'json' | 'text'; label: string; data?: unknown; text?: string }>;
  observed?: string | number | null;
  limit?: string | number | null;
}

export async function checkMigration(db: Queryable, expected: string | undefined, source: MigrationSource, manifest?: BackupManifest): Promise<Outcome> {
  if (!expected) return { status: 'skipped', message: 'no expected migration version configured (stages.dr.expectedMigration or migrationsDir)', evidence: [] };
  let actual: string | null;
  try {
    actual = await migrationVersion(db, source);
  } catch (err) {
    return { status: 'failed', message: `the restored copy has no readable ${describeSource(source)}: ${(err as Error).message}`, evidence: [], limit: expected };
  }
  const evidence = [{ kind: 'json' as const, label: 'migration versions', data: { restored: actual, expected, manifest: manifest?.migrationVersion ?? null } }];
  if (actual !== null && sameMigration(actual, expected)) return { status: 'passed', message: `restored schema at migration ${actual}`, evidence, observed: actual, limit: expected };
  return { status: 'failed', message: `restored schema at migration ${actual ?? '(none)'}, the release expects ${expected}`, evidence, observed: actual, limit: expected };
}

export async function checkRowCounts(
  db: Queryable,
  tables: string[],
  expected: Record<string, number> | undefined,
  tolerance: number,
  against: string,
): Promise<Outcome> {
  if (tables.length === 0) return { status: 'skipped', message: 'no critical tables configured (stages.dr.criticalTables)', evidence: [] };
  if (!expected) return { status: 'errored', message: `no row counts to compare with (${against} unavailable)`, evidence: [] };
  const actual: Record<string, number> = {};
  for (const t of tables) {
    try {
      actual[t] = await rowCount(db, t);
    } catch {
      actual[t] = -1; // table missing from the restored copy
    }
  }
  const rows = compareRowCounts(expected, actual, tolerance);
  const bad = rows.filter((r) => !r.ok);
  const evidence = [{ kind: 'json' as const, label: `row counts vs ${against}`, data: { tolerance, tables: rows } }];
  if (bad.length === 0) return { status: 'passed', message: `${rows.map((r) => `${r.table} ${r.actual}`).join(', ')} match the ${against}`, evidence };
  const what = bad.map((r) => (r.actual < 0 ? `${r.table} missing` : `${r.table} ${r.actual} rows, ${against} ${r.expected ?? 'has no count'}`));
  return { status: 'failed', message: `${what.join('; ')}${tolerance ? ` (tolerance ${tolerance * 100}%)` : ''}`, evidence };
}

export async function checkChecksums(
  db: Queryable,
  wanted: Record<string, string[] | '*'>,
  expected: BackupManifest['checksums'] | undefined,
  against: string,
): Promise<Outcome> {
  const entries = Object.entries(wanted);
  if (entries.length === 0) return { status: 'skipped', message: 'no checksum columns configured (stages.dr.checksums)', evidence: [] };
  if (!expected) return { status: 'errored', message: `no checksums to compare with (${against} unavailable)`, evidence: [] };
  const actual: Record<string, { columns: string[] | '*'; md5: string }> = {};
  for (const [t, columns] of entries) {
    try {
      actual[t] = { columns, md5: await tableChecksum(db, t, columns) };
    } catch (err) {
      actual[t] = { columns, md5: `error: ${(err as Error).message}` };
    }
  }
  const rows = compareChecksums(expected, actual);
  const bad = rows.filter((r) => !r.ok);
  const evidence = [{ kind: 'json' as const, label: `checksums vs ${against}`, data: rows }];
  if (bad.length === 0) return { status: 'passed', message: `${rows.length} table checksum(s) match the ${against}`, evidence };
  // A manifest that never recorded these columns is missing evidence, not a data loss.
  if (bad.every((r) => r.expected === undefined && r.why)) {
    return { status: 'errored', message: bad.map((r) => `${r.table}: ${r.why}`).join('; '), evidence };
  }
  return { status: 'failed', message: `checksum differs for ${bad.map((r) => r.table).join(', ')}`, evidence };
}
