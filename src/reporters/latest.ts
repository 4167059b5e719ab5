import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rename, rm, symlink } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { writeFileAtomic } from '../platform/fs.ts';

// reports/latest points at the newest run. The link is replaced atomically
// (a temp symlink renamed over it), so a reader never sees it missing. Where
// symlinks are not allowed (some Windows setups, odd file systems) the run id
// goes into reports/latest.txt instead.

export interface LatestLink {
  kind: 'symlink' | 'file';
  /** Absolute path of `latest` or `latest.txt`. */
  path: string;
  /** The symlink's relative target, or the run id written to latest.txt. */
  target: string;
}

export interface LatestDeps {
  symlink: (target: string, path: string) => Promise<void>;
}

export async function updateLatestLink(reportsDir: string, runDir: string, deps: LatestDeps = { symlink: (t, p) => symlink(t, p, 'dir') }): Promise<LatestLink> {
  await mkdir(reportsDir, { recursive: true });
  const target = relative(reportsDir, runDir) || '.';
  const link = join(reportsDir, 'latest');
  const tmp = join(reportsDir, `.latest.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    await deps.symlink(target, tmp);
    // rename(2) will not replace a real directory: only replace what we own.
    const existing = await lstat(link).catch(() => undefined);
    if (existing && !existing.isSymbolicLink()) throw new Error(`${link} exists and is not a symlink`);
    await rename(tmp, link);
    await rm(join(reportsDir, 'latest.txt'), { force: true });
    return { kind: 'symlink', path: link, target };
  } catch {
    await rm(tmp, { force: true });
    const file = join(reportsDir, 'latest.txt');
    const runId = basename(runDir);
    await writeFileAtomic(file, `${runId}\n`);
    return { kind: 'file', path: file, target: runId };
  }
}
