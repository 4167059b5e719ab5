import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { unzipSync } from 'fflate';

// Owner: smoke/UAT helper. Searches every file under a folder — inside zip
// archives (Playwright traces) too — for secret values, plain, URL-encoded
// and base64-encoded (also inside a longer base64 text, such as a basic-auth
// header or an encoded body), and for patterns of secrets a test cannot know
// in advance (a token the target issued). Returns "file[!entry]: secret" for each hit.

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

interface Needles {
  exact: Map<string, string>;
  patterns: RegExp[];
}

function search(bytes: Uint8Array, needles: Needles, where: string, hits: string[], depth = 0): void {
  if (isZip(bytes) && depth < 3) {
    for (const [name, inner] of Object.entries(unzipSync(bytes))) search(inner, needles, `${where}!${name}`, hits, depth + 1);
    return;
  }
  const text = Buffer.from(bytes).toString('latin1');
  const found = new Set<string>();
  for (const [needle, secret] of needles.exact) if (text.includes(needle)) found.add(secret);
  for (const secret of found) hits.push(`${where}: ${secret}`);
  for (const p of needles.patterns) {
    const m = new RegExp(p.source, p.flags.replace('g', '')).exec(text);
    if (m) hits.push(`${where}: /${p.source}/ matched ${m[0].slice(0, 12)}…`);
  }
}

/**
 * The base64 texts that contain `s` wherever it starts in the encoded bytes:
 * base64 encodes 3 bytes as 4 characters, so inside a longer text (`user:password`
 * in a basic-auth header) the secret's own encoding differs by its offset mod 3.
 * Only the characters that depend on the secret alone are kept.
 */
export function base64Forms(s: string): string[] {
  const bytes = Buffer.from(s);
  const forms = new Set<string>();
  for (const lead of [0, 1, 2]) {
    const enc = Buffer.concat([Buffer.alloc(lead), bytes]).toString('base64').replace(/=+$/, '');
    // Drop the characters that mix in the lead bytes, and a last one that mixes in what follows.
    const start = lead === 0 ? 0 : lead === 1 ? 2 : 3;
    const end = enc.length - ((lead + bytes.length) % 3 === 0 ? 0 : 1);
    const core = enc.slice(start, end);
    if (core.length >= 8) forms.add(core);
  }
  forms.add(bytes.toString('base64'));
  return [...forms];
}

export async function findSecrets(dir: string, secrets: string[], patterns: RegExp[] = []): Promise<{ hits: string[]; filesScanned: number; zipsScanned: number }> {
  const exact = new Map<string, string>();
  for (const s of secrets) {
    exact.set(s, s);
    exact.set(encodeURIComponent(s), s);
    exact.set(new URLSearchParams({ s }).toString().slice(2), s);
    for (const b of base64Forms(s)) exact.set(b, s);
  }
  const hits: string[] = [];
  let filesScanned = 0;
  let zipsScanned = 0;
  for await (const file of files(dir)) {
    const bytes = await readFile(file);
    filesScanned++;
    if (isZip(bytes)) zipsScanned++;
    search(bytes, { exact, patterns }, relative(dir, file), hits);
  }
  return { hits, filesScanned, zipsScanned };
}

/** Every file under `dir` (zip entries too) and each extra text (stdout, stderr) searched for exact needles; "where: needle" per hit. */
export async function findNeedles(dir: string, needles: string[], extra: Record<string, string> = {}): Promise<string[]> {
  const map = new Map(needles.map((n) => [n, n]));
  const hits: string[] = [];
  for await (const file of files(dir)) search(await readFile(file), { exact: map, patterns: [] }, relative(dir, file), hits);
  for (const [where, text] of Object.entries(extra)) for (const n of needles) if (text.includes(n)) hits.push(`${where}: ${n}`);
  return hits;
}

/** A JSON Web Token (header and payload are base64url JSON objects: `eyJ…`). */
export const JWT_PATTERN = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/;
