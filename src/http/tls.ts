import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import { Agent, setGlobalDispatcher } from 'undici';
import { errorMessage, UsageError } from '../core/errors.ts';

// A staging stand behind a private CA: `environments.<env>.trustedCa` names
// the PEM file(s). They are read before any request (a missing file is a
// usage error) and trusted, beside the system roots, by every plain HTTP
// exchange of the run: readiness, sign-in, declared checks, load.

export function caFiles(value: string | string[] | undefined, rootDir: string): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.map((f) => (isAbsolute(f) ? f : resolve(rootDir, f)));
}

// Read once per process: the plan, the CLI and the stages all ask for the same files.
const read = new Map<string, string>();

/** The PEM text of each file; a file that cannot be read is a usage error naming `where`. */
export function readCaFiles(files: readonly string[], where: string): string[] {
  return files.map((file) => {
    const known = read.get(file);
    if (known !== undefined) return known;
    try {
      const pem = readFileSync(file, 'utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('not a PEM certificate');
      read.set(file, pem);
      return pem;
    } catch (err) {
      throw new UsageError(`cannot read trusted CA ${file}: ${errorMessage(err)}`, where);
    }
  });
}

/** Trust these CAs (and the system roots) for every undici request and fetch of this process. */
export function trustCa(pems: readonly string[]): void {
  if (!pems.length) return;
  setGlobalDispatcher(new Agent({ connect: { ca: [...rootCertificates, ...pems] } }));
}
