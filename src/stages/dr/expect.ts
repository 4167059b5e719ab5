import { resolveFrom } from '../../dr/locate.ts';
import { newestMigration, rowCount, tableChecksum } from '../../dr/manifest.ts';
import type { BackupManifest } from '../../dr/types.ts';
import pg from 'pg';
import { errorMessage } from '../../core/errors.ts';
import type { DrConfig } from '../../dr/config.ts';

// Where the expected values come from: the release (migration version) and
// the manifest or the live database (row counts, checksums).

export async function expectedMigration(cfg: DrConfig, rootDir: string): Promise<string | undefined> {
  if (cfg.expectedMigration) return cfg.expectedMigration;
  if (cfg.migrationsDir) return newestMigration(resolveFrom(rootDir, cfg.migrationsDir));
  return undefined;
}

export interface Expectations {
  against: string;
  rowCounts?: Record<string, number>;
  checksums?: BackupManifest['checksums'];
  /** Why there is nothing to compare with. */
  missing?: string;
}

export async function expectations(cfg: DrConfig, manifest: BackupManifest | undefined, live: { name: string; url: string | undefined }): Promise<Expectations> {
  if (cfg.compareTo === 'manifest') {
    if (!manifest) return { against: 'manifest', missing: 'no manifest beside the backup' };
    return { against: 'manifest', rowCounts: manifest.rowCounts, checksums: manifest.checksums };
  }
  const against = 'live database';
  if (!live.url) return { against, missing: `compareTo "live" needs ${live.name}` };
  // The live database is the harness's yardstick, not the backup: when it cannot be read there is nothing to compare with (errored → hold).
  const client = new pg.Client({ connectionString: live.url });
  try {
    await client.connect();
    const rowCounts: Record<string, number> = {};
    for (const t of cfg.criticalTables) rowCounts[t] = await rowCount(client, t);
    const checksums: BackupManifest['checksums'] = {};
    for (const [t, columns] of Object.entries(cfg.checksums)) checksums[t] = { columns, md5: await tableChecksum(client, t, columns) };
    return { against, rowCounts, checksums };
  } catch (err) {
    return { against, missing: `cannot read the live database (${live.name}): ${errorMessage(err)}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}
