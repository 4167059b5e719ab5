import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { testRun } from '../_test-run.ts';
import { bodySimilarity, exposedChecks, matchSignature } from './exposed.ts';

// Exposed files on real loopback servers: content signatures anchored where the
// file format puts them, and catch-all answers recognised by similarity to the
// answers for random paths — so ordinary pages and SPAs with per-request nonces
// raise nothing, and real archives, .git/config and .env files are found.

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function serve(handler: (path: string, res: http.ServerResponse) => void): Promise<string> {
  const s = http.createServer((req, res) => handler(new URL(req.url ?? '/', 'http://x').pathname, res));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  servers.push(s);
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/** A one-file POSIX tar archive (ustar header + data + end blocks), as `tar -cf` writes it. */
function tarOf(name: string, content: string): Buffer {
  const header = Buffer.alloc(512);
  const data = Buffer.from(content);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write('0001750\0', 108);
  header.write('0001750\0', 116);
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, pad, Buffer.alloc(1024)]);
}

const spaIndex = (): string =>
  `<!doctype html><html lang="es"><head><meta name="csrf-token" content="${randomBytes(24).toString('base64')}">` +
  `<script nonce="${randomBytes(16).toString('hex')}">window.__BOOT__={"requestId":"${crypto.randomUUID()}","renderedAt":${Date.now()}}</script><script type="module" src="/assets/index.js"></script></head>` +
  '<body><div id="root"><h1>¿Te va a gustar?</h1><p>[core]</p>\nPK archive viewer — open your zip files online\n</div></body></html>';

const failedIds = (checks: Array<{ id: string; status: string }>): string[] => checks.filter((c) => c.status === 'failed').map((c) => c.id);

describe('exposed files on real servers', () => {
  it('an SPA whose index page carries a per-request nonce for every path raises nothing', async () => {
    const url = await serve((_p, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(spaIndex()));
    const checks = await exposedChecks(testRun({ webUrl: url }), 'base', url);
    expect(checks.length).toBeGreaterThan(3);
    expect(failedIds(checks)).toEqual([]);
    // Its script's map answers index.html (no map); it links to no server-side page, whose copies to look for.
    for (const c of checks) expect(c.status, c.id).toBe(c.id.endsWith('.page-copy') ? 'skipped' : 'passed');
  });

  it('an ordinary page that mentions "ustar" and "PK" in its text is no archive', async () => {
    // Random paths answer 404: no catch-all to hide behind, the signature alone decides.
    const page = (p: string): string => `<html><body><h1>Descargas ${p}</h1>\n<p>PK\u0003\u0004 es la firma de un zip; ustar la de un tar. ¿Te va a gustar?</p>\n${'x'.repeat(300)}ustar\n</body></html>`;
    const url = await serve((p, res) => (p.startsWith('/pdv-') || p.startsWith('/.pdv-') ? res.writeHead(404).end('not found') : res.writeHead(200, { 'content-type': 'text/html' }).end(page(p))));
    const checks = await exposedChecks(testRun({ webUrl: url }), 'base', url);
    expect(failedIds(checks)).toEqual([]);
  });

  it('a real tar archive at /backup.tar is found', async () => {
    const tar = tarOf('dump.sql', 'CREATE TABLE users (id int);\n');
    const url = await serve((p, res) => (p === '/backup.tar' ? res.writeHead(200, { 'content-type': 'application/x-tar' }).end(tar) : res.writeHead(404).end('not found')));
    const checks = await exposedChecks(testRun({ webUrl: url }), 'base', url);
    expect(failedIds(checks)).toEqual(['security.exposed.base.backup']);
    expect(checks.find((c) => c.id === 'security.exposed.base.backup')?.message).toMatch(/\/backup\.tar .*tar archive/);
  });

  it('a gzip archive behind a catch-all SPA is found', async () => {
    const gz = gzipSync(Buffer.from('-- PostgreSQL database dump\n'));
    const url = await serve((p, res) => (p === '/backup.tar.gz' ? res.writeHead(200, { 'content-type': 'application/gzip' }).end(gz) : res.writeHead(200, { 'content-type': 'text/html' }).end(spaIndex())));
    const checks = await exposedChecks(testRun({ webUrl: url }), 'base', url);
    expect(failedIds(checks)).toEqual(['security.exposed.base.backup']);
  });

  it('a real .git/config is found', async () => {
    const gitConfig = '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:acme/shop.git\n';
    const url = await serve((p, res) => (p === '/.git/config' ? res.writeHead(200, { 'content-type': 'text/plain' }).end(gitConfig) : res.writeHead(404).end('not found')));
    const checks = await exposedChecks(testRun({ webUrl: url }), 'base', url);
    expect(failedIds(checks)).toEqual(['security.exposed.base.git-config']);
  });

  it('a real .env behind a 200-for-everything catch-all is found', async () => {
    const env = '# production\nNODE_ENV=production\nDATABASE_URL=postgres://shop:s3cret-pw-991@db/shop\nSTRIPE_KEY=sk_live_0123456789\n';
    const url = await serve((p, res) => (p === '/.env' ? res.writeHead(200, { 'content-type': 'text/plain' }).end(env) : res.writeHead(200, { 'content-type': 'text/html' }).end(spaIndex())));
    const checks = await exposedChecks(testRun({ webUrl: url }), 'base', url);
    expect(failedIds(checks)).toEqual(['security.exposed.base.env']);
    expect(JSON.stringify(checks)).not.toContain('s3cret-pw-991');
  });
});

describe('signatures are anchored where the format defines them', () => {
  const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
  it.each([
    ['tar magic at offset 257', true, tarOf('a.txt', 'hi')],
    ['"ustar" elsewhere', false, bytes(`${'a'.repeat(100)}ustar${'b'.repeat(400)}`)],
    ['zip magic at 0', true, bytes('PK\u0003\u0004\u0014\u0000rest')],
    ['zip magic after a newline', false, bytes('hello\nPK\u0003\u0004rest')],
    ['gzip magic at 0', true, gzipSync(Buffer.from('x'))],
    ['pg_dump header', true, bytes('--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n')],
    ['mysqldump header', true, bytes('-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n')],
    ['a page quoting a dump header', false, bytes('<pre>\n-- PostgreSQL database dump\n</pre>')],
    ['plain SQL file', true, bytes('/*!40101 SET NAMES utf8 */;\nCREATE TABLE users (id int);\n')],
  ])('backup: %s → %s', (_label, expected, body) => {
    expect(matchSignature('backup', body) !== undefined).toBe(expected);
  });

  it.each([
    ['[core] line', true, '[core]\n\tbare = false\n'],
    ['[core] inside a sentence', false, 'set the [core] section of your config'],
  ])('git-config: %s → %s', (_label, expected, body) => {
    expect(matchSignature('git-config', Buffer.from(body)) !== undefined).toBe(expected);
  });

  it.each([
    ['KEY=VALUE lines', true, 'APP_KEY=base64:abc\nDB_PASSWORD=x\n'],
    ['comments first', true, '# local\n\nexport API_TOKEN=abc\n'],
    ['an HTML page with a KEY=VALUE line', false, '<html><body>\nWELCOME=1\n</body></html>'],
  ])('env: %s → %s', (_label, expected, body) => {
    expect(matchSignature('env', Buffer.from(body)) !== undefined).toBe(expected);
  });
});

describe('bodySimilarity', () => {
  it('per-request tokens and numbers do not make two answers different', () => {
    expect(bodySimilarity(spaIndex(), spaIndex())).toBeGreaterThan(0.95);
  });
  it('a .env file is nothing like an index page', () => {
    expect(bodySimilarity(spaIndex(), 'NODE_ENV=production\nDATABASE_URL=postgres://a:b@c/d\n')).toBeLessThan(0.2);
  });
});
