import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeJsonAtomic } from '../platform/fs.ts';

// At most once per deploy id. Before a rollback fires, pdv claims
// `<reportsDir>/.pdv/actions/<env>/<deployId>.json` (created by link(2), which
// fails if the file exists, so two racing runs cannot both claim it) with
// state "intent"; afterwards it rewrites it with the result. A later run that
// finds the file never fires again: "done" → skipped; "intent" with no result
// → the first run died mid-rollback and nobody knows whether it fired, so a
// person must look (firing again blindly could roll back twice).

export interface LedgerAction {
  name: string;
  kind: string;
  state: 'pending' | 'intent' | 'succeeded' | 'failed' | 'skipped';
  at?: string;
  message?: string;
}

export interface LedgerEntry {
  schemaVersion: 1;
  environment: string;
  deployId: string;
  state: 'intent' | 'done';
  result?: 'succeeded' | 'failed';
  runId: string;
  pid: number;
  host: string;
  intentAt: string;
  finishedAt?: string;
  actions: LedgerAction[];
}

export function ledgerPath(reportsDir: string, environment: string, deployId: string): string {
  return join(reportsDir, '.pdv', 'actions', safeName(environment), `${safeName(deployId)}.json`);
}

/** File-name safe; a hash suffix keeps distinct ids distinct after cleaning. */
export function safeName(id: string): string {
  const clean = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 100);
  return clean === id ? id : `${clean}-${createHash('sha256').update(id).digest('hex').slice(0, 8)}`;
}

export function newEntry(environment: string, deployId: string, runId: string, actions: LedgerAction[]): LedgerEntry {
  return {
    schemaVersion: 1,
    environment,
    deployId,
    state: 'intent',
    runId,
    pid: process.pid,
    host: hostname(),
    intentAt: new Date().toISOString(),
    actions,
  };
}

export type ClaimResult = { claimed: true } | { claimed: false; existing: LedgerEntry | undefined };

/** Write the intent, unless some run already did (then return what it wrote). */
export async function claim(file: string, entry: LedgerEntry): Promise<ClaimResult> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(entry, null, 2) + '\n', { flush: true });
    await link(tmp, file);
    return { claimed: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { claimed: false, existing: await readEntry(file) };
  } finally {
    await rm(tmp, { force: true });
  }
}

export async function update(file: string, entry: LedgerEntry): Promise<void> {
  await writeJsonAtomic(file, entry);
}

/** undefined when the file is missing or unreadable (treated as "outcome unknown" by callers). */
export async function readEntry(file: string): Promise<LedgerEntry | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as LedgerEntry;
    return parsed && typeof parsed === 'object' && 'state' in parsed ? parsed : undefined;
  } catch {
    return undefined;
  }
}
