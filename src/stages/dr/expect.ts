import { resolveFrom } from '../../dr/locate.ts';
import { newestMigration, rowCount, tableChecksum } from '../../dr/manifest.ts';
import type { BackupManifest } from '../../dr/types.ts';
import pg from 'pg';
import type { DrConfig } from './config.ts';

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

export async function expectations(cfg: DrConfig, manifest: BackupManifest | undefined, liveUrl: string | undefined): Promise<Expectations> {
  if (cfg.compareTo === 'manifest') {
    if (!manifest) return { against: 'manifest', missing: 'no manifest beside the backup' };
    return { against: 'manifest', rowCounts: manifest.rowCounts, checksums: manifest.checksums };
  }
  if (!liveUrl) return { against: 'live database', missing: 'compareTo "live" needs DATABASE_URL (or databaseUrlEnv)' };
  const client = new pg.Client({ connectionString: liveUrl });
  await client.connect();
  try {
    const rowCounts: Record<string, number> = {};
    for (const t of cfg.criticalTables) rowCounts[t] = await rowCount(client, t);
    const checksums: BackupManifest['checksums'] = {};
    for (const [t, columns] of Object.entries(cfg.checksums)) checksums[t] = { columns, md5: await tableChecksum(client, t, columns) };
    return { against: 'live database', rowCounts, checksums };
  } finally {
    await client.end().catch(() => undefined);
  }
}
