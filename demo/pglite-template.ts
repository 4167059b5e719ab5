import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

// PGlite runs initdb (WASM) on every fresh instance: 5–30 s on a busy machine.
// A data directory dumped right after initdb loads in a fraction of that, so
// the first start on a machine makes one and later starts reuse it.

function pgliteVersion(): string {
  // package.json is not in the package's exports: find it beside the resolved entry.
  let dir = path.dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

export function templatePath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DEMO_PGLITE_CACHE || path.join(os.tmpdir(), 'pdv-demo-pglite');
  return path.join(dir, `initdb-${pgliteVersion()}.tar`);
}

/** The freshly-initdb'd data directory as a tarball (made once, then cached on disk). */
export async function pgliteTemplate(env: NodeJS.ProcessEnv = process.env): Promise<Blob> {
  const file = templatePath(env);
  if (existsSync(file)) return new Blob([await readFile(file)]);
  const fresh = new PGlite();
  await fresh.waitReady;
  // Uncompressed: ~40 MB on disk, but it loads in about half the time of the gzip form.
  const blob = await fresh.dumpDataDir('none');
  await fresh.close();
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, Buffer.from(await blob.arrayBuffer()));
  await rename(tmp, file); // atomic: concurrent first starts each write a whole file
  return blob;
}

/** Opens PGlite in memory or in dataDir, seeding a new database from the template. */
export async function openPglite(dataDir: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<PGlite> {
  const existing = dataDir !== undefined && existsSync(path.join(dataDir, 'PG_VERSION'));
  const db = existing ? new PGlite(dataDir) : new PGlite({ ...(dataDir ? { dataDir } : {}), loadDataDir: await pgliteTemplate(env) });
  await db.waitReady;
  return db;
}
