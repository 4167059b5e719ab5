import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { errorMessage, UsageError } from '../core/errors.ts';

// A staging stand behind a private CA: `environments.<env>.trustedCa` names
// the PEM file(s). They are read before any request (a missing file is a
// usage error) and trusted, beside the system roots, by every plain HTTP
// exchange of the run that goes to the target — readiness, sign-in, declared
// checks, load, the post-rollback probe — through a dispatcher each exchange
// is given. Nothing changes undici's process-wide default: a webhook or a
// metric source never trusts the target's private CA.

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

const agents = new Map<string, Agent>();

/** A dispatcher trusting these CAs beside the system roots (one per CA set, its connections pooled); none for none. */
export function trustingDispatcher(pems: readonly string[]): Dispatcher | undefined {
  if (!pems.length) return undefined;
  const key = pems.join('\n');
  let agent = agents.get(key);
  if (!agent) agents.set(key, (agent = new Agent({ connect: { ca: [...rootCertificates, ...pems] } })));
  return agent;
}

/** The dispatcher for an environment's `trustedCa` (its files were checked at plan time); none without one. */
export function environmentDispatcher(environment: { trustedCa?: string | string[] | undefined }, rootDir: string): Dispatcher | undefined {
  if (environment.trustedCa === undefined) return undefined;
  return trustingDispatcher(readCaFiles(caFiles(environment.trustedCa, rootDir), 'environments.trustedCa'));
}
