import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../demo/prometheus/launch.ts';
import { REPO } from './cli.ts';
import { startServerProcess } from './server-process.ts';

// The real applications behind examples/: the example's own files (nginx
// site.conf and docroot, Verdaccio config.yaml), each broken variant made by
// one edit of them — the edit a bad deploy would make.

export const EXAMPLES = join(REPO, 'examples');

/** `text` with `from` replaced; throws when `from` is not there, so a variant cannot silently equal the healthy app. */
export function edit(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`variant edit found nothing to change: ${String(from)}`);
  return out;
}

/** A temp docroot holding the example site, deployed as a git checkout (so `.git/config` is there). */
export function nginxDocroot(): { root: string; remove(): Promise<void> } {
  const root = mkdtempSync(join(tmpdir(), 'pdv-example-site-'));
  cpSync(join(EXAMPLES, 'nginx-static', 'site'), root, { recursive: true });
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, '.git', 'config'), '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n[remote "origin"]\n\turl = git@git.example.com:team/site.git\n');
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

export function nginxSiteConf(): string {
  return readFileSync(join(EXAMPLES, 'nginx-static', 'site.conf'), 'utf8');
}

// ---------------------------------------------------------------- Verdaccio

export const VERDACCIO_BIN = join(REPO, 'node_modules', 'verdaccio', 'bin', 'verdaccio');

export function verdaccioConfig(): string {
  return readFileSync(join(EXAMPLES, 'verdaccio', 'config.yaml'), 'utf8');
}

/** An htpasswd line the Verdaccio htpasswd plugin accepts: `{SHA}` + base64(sha1(password)). */
export function htpasswdLine(user: string, password: string): string {
  return `${user}:{SHA}${createHash('sha1').update(password).digest('base64')}`;
}

export interface TestVerdaccio {
  url: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Verdaccio on a free loopback port, offline, from `configYaml`, with the users
 * given and the private package @team/secret already published (its metadata
 * written into the storage, as a publish would leave it).
 */
export async function startVerdaccio(opts: { configYaml: string; users: Record<string, string> }): Promise<TestVerdaccio> {
  const dir = mkdtempSync(join(tmpdir(), 'pdv-verdaccio-'));
  writeFileSync(join(dir, 'config.yaml'), opts.configYaml);
  writeFileSync(join(dir, 'htpasswd'), `${Object.entries(opts.users).map(([u, p]) => htpasswdLine(u, p)).join('\n')}\n`);
  const pkgDir = join(dir, 'storage', '@team', 'secret');
  mkdirSync(pkgDir, { recursive: true });
  const version = { name: '@team/secret', version: '1.0.0', description: 'the team secret sauce', dist: { tarball: 'http://localhost/@team/secret/-/secret-1.0.0.tgz', shasum: '0' } };
  writeFileSync(
    join(pkgDir, 'package.json'),
    JSON.stringify({ name: '@team/secret', versions: { '1.0.0': version }, 'dist-tags': { latest: '1.0.0' }, time: { '1.0.0': '2026-01-01T00:00:00.000Z' }, _attachments: {}, _uplinks: {}, _distfiles: {}, _rev: '1-0000000000000000' }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startServerProcess(process.execPath, [VERDACCIO_BIN, '-c', join(dir, 'config.yaml'), '-l', `127.0.0.1:${port}`], {
    dir,
    what: 'verdaccio',
    readyTimeoutMs: 30_000,
    ready: () => fetch(`${url}/-/ping`).then((r) => r.ok, () => false),
  });
  return { url, log: server.log, stop: server.stop };
}
