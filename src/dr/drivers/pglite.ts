import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../platform/fs.ts';
import { locateBackupFile } from '../locate.ts';
import { isScratchDbName } from '../naming.ts';
import { verifyTarball } from '../tar.ts';
import type { ArchiveInfo, BackupRef, RestoreDriver, RestoredCopy, ScratchRef } from '../types.ts';

// PGlite (the demo's embedded PostgreSQL): a backup is the tarball of
// `dumpDataDir()`; restoring loads it into a fresh data dir under
// <scratchDir>/pdv_dr_<runid>/data, tagged by <scratch>/tag.json.

export interface PgliteDriverOptions {
  source: { path?: string; folder?: string; pattern?: string };
  rootDir: string;
  scratchDir?: string;
}

const TAG_FILE = 'tag.json';

export function defaultScratchDir(): string {
  return join(tmpdir(), 'pdv-dr');
}

export function createPgliteDriver(opts: PgliteDriverOptions): RestoreDriver {
  const scratchRoot = opts.scratchDir ?? defaultScratchDir();
  const folderOf = (s: ScratchRef) => join(scratchRoot, s.name);

  return {
    kind: 'pglite',
    locate: () => locateBackupFile(opts.source, opts.rootDir),

    async verifyArchive(backup: BackupRef): Promise<ArchiveInfo> {
      const data = await readFile(backup.id);
      const summary = verifyTarball(data);
      return { ok: true, message: `tarball reads: ${summary.entries} members, ${summary.bytes} bytes unpacked`, entries: summary.entries };
    },

    async restore(backup: BackupRef, scratch: ScratchRef, signal: AbortSignal): Promise<RestoredCopy> {
      const folder = folderOf(scratch);
      await mkdir(folder, { recursive: true });
      // The tag goes down first so even a half-restored copy is found and removed later.
      await writeJsonAtomic(join(folder, TAG_FILE), { runId: scratch.runId, createdAt: new Date().toISOString(), backup: backup.id });
      const dataDir = join(folder, 'data');
      const bytes = await readFile(backup.id);
      verifyTarball(bytes); // never hand PGlite an archive it would choke on
      signal.throwIfAborted();
      const { PGlite } = await import('@electric-sql/pglite');
      const db = await PGlite.create(dataDir, { loadDataDir: new Blob([bytes]) });
      return {
        db,
        app: { placeholders: { dataDir }, env: {} },
        close: () => db.close(),
      };
    },

    async drop(scratch: ScratchRef): Promise<void> {
      await rm(folderOf(scratch), { recursive: true, force: true });
    },

    async listScratch(): Promise<ScratchRef[]> {
      let names: string[];
      try {
        names = await readdir(scratchRoot);
      } catch {
        return [];
      }
      const out: ScratchRef[] = [];
      for (const name of names.filter(isScratchDbName)) {
        try {
          const tag = JSON.parse(await readFile(join(scratchRoot, name, TAG_FILE), 'utf8')) as { runId?: string; createdAt?: string };
          if (typeof tag.runId === 'string') out.push({ name, runId: tag.runId, ...(tag.createdAt ? { createdAt: tag.createdAt } : {}) });
        } catch {
          // not ours (no tag): leave it alone
        }
      }
      return out;
    },
  };
}
