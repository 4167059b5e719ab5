import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { writeFileAtomicSync } from './fs.ts';
import { processStartTime, sameProcessAlive } from './proc.ts';

// What pdv starts outside itself — Prometheus, a restored DR app, the
// Playwright runner and its browsers, temp folders holding sessions — is
// removed on every path out; kill -9 is the path that runs no code. So each
// pdv process records what it owns in `<tmp>/pdv-owned/<pid>-<start>.json`
// while it owns it, and the next verify/run/demo reaps the entries of owners
// that are gone: processes only while their start time still matches the
// recorded one (a reused pid is someone else's), folders only when their
// name carries pdv's tag.

/** Only folders named like this are ever removed by the reaper. */
export const OWNED_DIR_TAG = 'pdv-';

export interface RegistryOptions {
  /** Registry folder (default $PDV_OWNED_DIR, else <tmp>/pdv-owned). */
  dir?: string;
}

/**
 * A process (by pid, checked against its start time), a temp folder (only
 * names tagged `pdv-`), or every process carrying `PDV_OWNER_TAG=<tag>` in its
 * environment — how a detached tree (Playwright's browsers) is found after
 * its parent died and the pids were re-parented.
 */
export type OwnedInput = { pid: number; what: string } | { dir: string; what: string } | { tag: string; what: string };

/** The variable a process tree is tagged with (see killTagged). */
export const OWNER_TAG_ENV = 'PDV_OWNER_TAG';

type OwnedItem = { id: string; what: string } & ({ kind: 'process'; pid: number; startTime: string } | { kind: 'dir'; path: string } | { kind: 'tag'; tag: string });

interface RegistryFile {
  owner: { pid: number; startTime?: string };
  items: OwnedItem[];
}

export function registryDir(opts: RegistryOptions = {}): string {
  return opts.dir ?? process.env.PDV_OWNED_DIR ?? join(tmpdir(), 'pdv-owned');
}

function ownFile(dir: string): string {
  return join(dir, `${process.pid}-${processStartTime(process.pid) ?? 'x'}.json`);
}

function readRegistry(file: string): RegistryFile | undefined {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as RegistryFile;
    return r && typeof r.owner?.pid === 'number' && Array.isArray(r.items) ? r : undefined;
  } catch {
    return undefined;
  }
}

function update(dir: string, change: (items: OwnedItem[]) => OwnedItem[]): void {
  const file = ownFile(dir);
  const items = change(readRegistry(file)?.items ?? []);
  if (items.length === 0) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const startTime = processStartTime(process.pid);
  writeFileAtomicSync(file, JSON.stringify({ owner: { pid: process.pid, ...(startTime ? { startTime } : {}) }, items } satisfies RegistryFile) + '\n');
}

let counter = 0;

/**
 * Record that this process owns a child process or a temp folder until the
 * returned function is called (call it once the thing is stopped or removed).
 * Never throws: bookkeeping must not fail the run it protects. A process whose
 * start time cannot be read (no /proc) is not recorded: it could not be told
 * apart from a later process with its pid.
 */
export function registerOwned(input: OwnedInput, opts: RegistryOptions = {}): () => void {
  const dir = registryDir(opts);
  const id = `${Date.now().toString(36)}-${(counter++).toString(36)}`;
  let item: OwnedItem | undefined;
  if ('pid' in input) {
    const startTime = processStartTime(input.pid);
    if (startTime) item = { id, kind: 'process', pid: input.pid, startTime, what: input.what };
  } else if ('tag' in input) {
    if (/^[A-Za-z0-9_-]{8,}$/.test(input.tag)) item = { id, kind: 'tag', tag: input.tag, what: input.what };
  } else if (basename(input.dir).startsWith(OWNED_DIR_TAG)) item = { id, kind: 'dir', path: input.dir, what: input.what };
  if (!item) return () => undefined;
  const added = item;
  try {
    update(dir, (items) => [...items, added]);
  } catch {
    return () => undefined;
  }
  let done = false;
  return () => {
    if (done) return;
    done = true;
    try {
      update(dir, (items) => items.filter((i) => i.id !== id));
    } catch {
      // a registry we cannot write: the next startup reaps what is left
    }
  };
}

/** pid, parent pid, process group and start time of every process (Linux /proc), or [] elsewhere. */
function processTable(): Array<{ pid: number; ppid: number; pgrp: number; startTime: string }> {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: Array<{ pid: number; ppid: number; pgrp: number; startTime: string }> = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(name), ppid: Number(f[1]), pgrp: Number(f[2]), startTime: f[19] ?? '' });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** The process, its process group (a detached leader's) and all their descendants. */
function treeOf(pid: number, table: ReturnType<typeof processTable>): number[] {
  const found = new Set<number>([pid, ...table.filter((p) => p.pgrp === pid).map((p) => p.pid)]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of table) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return [...found];
}

/** SIGKILL every process (but this one) whose environment holds `PDV_OWNER_TAG=<tag>`; returns their pids. Linux only. */
export function killTagged(tag: string): number[] {
  const needle = Buffer.from(`\0${OWNER_TAG_ENV}=${tag}\0`);
  const first = Buffer.from(`${OWNER_TAG_ENV}=${tag}\0`);
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const killed: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let env: Buffer;
    try {
      env = readFileSync(`/proc/${name}/environ`);
    } catch {
      continue; // gone, or not ours to read
    }
    if ((env.includes(needle) || env.subarray(0, first.length).equals(first)) && kill(Number(name))) killed.push(Number(name));
  }
  return killed;
}

/** Wait (bounded) until these pids are gone or zombies, so their files can be removed. */
export async function waitGone(pids: readonly number[], maxWaits = 100): Promise<void> {
  const running = (pid: number): boolean => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  };
  for (let i = 0; i < maxWaits && pids.some(running); i++) await new Promise((r) => setTimeout(r, 20));
}

function kill(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/**
 * Remove what earlier pdv processes that are now dead left behind. Returns one
 * line per thing removed (for the run's events); entries of live owners, and
 * processes whose start time no longer matches, are left alone.
 */
export async function reapLeftovers(opts: RegistryOptions = {}): Promise<string[]> {
  const dir = registryDir(opts);
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const mine = basename(ownFile(dir));
  const reaped: string[] = [];
  let table: ReturnType<typeof processTable> | undefined;
  for (const name of files) {
    if (name === mine) continue;
    const file = join(dir, name);
    const reg = readRegistry(file);
    if (reg && sameProcessAlive(reg.owner.pid, reg.owner.startTime)) continue;
    // Processes first: a folder is removed once nothing of the dead run writes into it.
    const items = [...(reg?.items ?? [])].sort((x, y) => Number(x.kind === 'dir') - Number(y.kind === 'dir'));
    for (const item of items) {
      if (item.kind === 'process') {
        if (processStartTime(item.pid) !== item.startTime) continue; // gone, or the pid is someone else's now
        table ??= processTable();
        const tree = treeOf(item.pid, table).filter((p) => p !== process.pid);
        const killed = tree.filter(kill);
        if (killed.length) reaped.push(`killed ${item.what} (pid ${item.pid}${killed.length > 1 ? ` and ${killed.length - 1} more` : ''}) left by pdv pid ${reg!.owner.pid}`);
      } else if (item.kind === 'tag') {
        const killed = killTagged(item.tag);
        await waitGone(killed);
        if (killed.length) reaped.push(`killed ${item.what} (${killed.length} process${killed.length > 1 ? 'es' : ''}) left by pdv pid ${reg!.owner.pid}`);
      } else if (basename(item.path).startsWith(OWNED_DIR_TAG)) {
        try {
          readdirSync(item.path);
        } catch {
          continue; // already gone
        }
        rmSync(item.path, { recursive: true, force: true });
        reaped.push(`removed ${item.what} ${item.path} left by pdv pid ${reg!.owner.pid}`);
      }
    }
    rmSync(file, { force: true });
  }
  return reaped;
}
