import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from './fs.ts';

// What stood runs leave for the next run (load baselines, security posture):
// one JSON file per run in `<reportsDir>/history/<environment>/<kind>/`,
// named so that names sort by time, the newest `keep` kept.

export function historyFolder(s: { rootDir: string; reportsDir: string; environmentName: string }, kind: string): string {
  return join(resolve(s.rootDir, s.reportsDir), 'history', s.environmentName, kind);
}

/** Write one run's entry and drop all but the newest `keep`; returns the file. */
export async function addHistoryEntry(dir: string, run: { runId: string; finishedAt: string }, entry: unknown, keep: number): Promise<string> {
  const file = join(dir, `${run.finishedAt.replace(/[:.]/g, '-')}-${run.runId.replace(/[^\w-]/g, '_')}.json`);
  await writeJsonAtomic(file, entry);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  await Promise.all(names.slice(0, Math.max(0, names.length - keep)).map((n) => rm(join(dir, n), { force: true })));
  return file;
}

/** The newest entry `accept` takes (a damaged or foreign file is skipped, not fatal), or undefined. */
export async function newestHistoryEntry<T>(dir: string, accept: (e: unknown) => e is T): Promise<T | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort().reverse();
  } catch {
    return undefined;
  }
  for (const n of names) {
    try {
      const e = JSON.parse(await readFile(join(dir, n), 'utf8')) as unknown;
      if (accept(e)) return e;
    } catch {
      // A damaged history file is skipped: the one before may do.
    }
  }
  return undefined;
}
