import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { unzipSync } from 'fflate';

// Owner: smoke/UAT helper. Searches every file under a folder — inside zip
// archives (Playwright traces) too — for secret values, plain, URL-encoded
// and base64-encoded. Returns "file[!entry]: secret" for each hit.

async function* files(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function search(bytes: Uint8Array, needles: Map<string, string>, where: string, hits: string[], depth = 0): void {
  if (isZip(bytes) && depth < 3) {
    for (const [name, inner] of Object.entries(unzipSync(bytes))) search(inner, needles, `${where}!${name}`, hits, depth + 1);
    return;
  }
  const text = Buffer.from(bytes).toString('latin1');
  for (const [needle, secret] of needles) if (text.includes(needle)) hits.push(`${where}: ${secret}`);
}

export async function findSecrets(dir: string, secrets: string[]): Promise<{ hits: string[]; filesScanned: number; zipsScanned: number }> {
  const needles = new Map<string, string>();
  for (const s of secrets) {
    needles.set(s, s);
    needles.set(encodeURIComponent(s), s);
    needles.set(Buffer.from(s).toString('base64'), s);
  }
  const hits: string[] = [];
  let filesScanned = 0;
  let zipsScanned = 0;
  for await (const file of files(dir)) {
    const bytes = await readFile(file);
    filesScanned++;
    if (isZip(bytes)) zipsScanned++;
    search(bytes, needles, relative(dir, file), hits);
  }
  return { hits, filesScanned, zipsScanned };
}

/** Every file under `dir` (zip entries too) and each extra text (stdout, stderr) searched for exact needles; "where: needle" per hit. */
export async function findNeedles(dir: string, needles: string[], extra: Record<string, string> = {}): Promise<string[]> {
  const map = new Map(needles.map((n) => [n, n]));
  const hits: string[] = [];
  for await (const file of files(dir)) search(await readFile(file), map, relative(dir, file), hits);
  for (const [where, text] of Object.entries(extra)) for (const n of needles) if (text.includes(n)) hits.push(`${where}: ${n}`);
  return hits;
}
