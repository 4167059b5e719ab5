import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readManifest } from './manifest.ts';
import type { BackupRef } from './types.ts';

// "A file path or the newest in a folder": newest by the manifest's time,
// else by the file's mtime. Manifests and hidden/partial files are skipped.

const SKIP = /(\.manifest\.json|\.tmp|\.partial)$/;

export async function locateBackupFile(source: { path?: string; folder?: string; pattern?: string }, rootDir: string): Promise<BackupRef | undefined> {
  const wanted = source.pattern ? new RegExp(source.pattern) : undefined;
  const candidates: string[] = [];
  if (source.path) {
    const p = resolveFrom(rootDir, source.path);
    try {
      if ((await stat(p)).isFile()) candidates.push(p);
    } catch {
      return undefined;
    }
  } else if (source.folder) {
    const dir = resolveFrom(rootDir, source.folder);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return undefined;
    }
    for (const n of names) if (!n.startsWith('.') && !SKIP.test(n) && (!wanted || wanted.test(n))) candidates.push(join(dir, n));
  }
  let best: BackupRef | undefined;
  for (const file of candidates) {
    const st = await stat(file);
    if (!st.isFile()) continue;
    const manifest = await readManifest(file);
    const createdAt = manifest ? new Date(manifest.createdAt) : st.mtime;
    if (!best || createdAt > best.createdAt) {
      best = { id: file, createdAt, details: { file, bytes: st.size, manifest: manifest ? `${file}.manifest.json` : null } };
      if (manifest) best.manifest = manifest;
    }
  }
  return best;
}

export function resolveFrom(rootDir: string, p: string): string {
  return p.startsWith('/') ? p : join(rootDir, p);
}
