import type { BackupManifest } from './types.ts';

// The manifest as a file: one exact text, so a manifest written by hand from
// docs/dr.md and one written by `pdv dr manifest` are the same bytes.

/** The manifest's text, byte for byte: keys in this order, tables sorted, two-space JSON, one final newline. */
export function manifestJson(m: BackupManifest): string {
  const sorted = <T>(o: Record<string, T>) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));
  const ordered: BackupManifest = {
    schemaVersion: 1,
    createdAt: m.createdAt,
    driver: m.driver,
    archive: { file: m.archive.file, bytes: m.archive.bytes, sha256: m.archive.sha256 },
    migrationVersion: m.migrationVersion,
    rowCounts: sorted(m.rowCounts),
    checksums: sorted(Object.fromEntries(Object.entries(m.checksums).map(([t, c]) => [t, { columns: c.columns, md5: c.md5 }]))),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
