import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../demo/prometheus/launch.ts';
import type { CheckResult } from '../src/core/types.ts';
import { runSecurityStage, verdictOf } from '../src/stages/security/_test-run.ts';
import { skipWithoutApache, startApache } from './helpers/apache.ts';
import { missingBinary } from './helpers/binaries.ts';
import { REPO } from './helpers/cli.ts';
import { skipWithoutLighttpd, startLighttpd } from './helpers/lighttpd.ts';
import { skipWithoutNginx, startNginx } from './helpers/nginx.ts';
import { startServerProcess } from './helpers/server-process.ts';

// Real servers nobody on this project wrote, each with the fault a security
// engineer finds after a deploy — a directory listing serving a gzipped SQL
// dump, a framework's debug page, a stack trace, TRACE echoed — and the same
// servers healthy (plus a single-page app answering 200 everywhere and pages
// that merely mention "backup" and "Index of"), which raise nothing.

const PYTHON = '/usr/bin/python3';
const FIXTURES = join(REPO, 'e2e/fixtures/security');
let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'pdv-discovery-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Only the stage's own probes: no TLS (loopback HTTP), no header minimum (warnings only). */
const STAGE = { tls: { enabled: false } };

async function run(url: string): Promise<{ checks: CheckResult[]; byId: Map<string, CheckResult>; verdict: string }> {
  const checks = await runSecurityStage(tmp, url, STAGE);
  return { checks, byId: new Map(checks.map((c) => [c.id, c])), verdict: verdictOf(checks) };
}

/** Nothing failed but the header warnings (no minimum grade: reported only) and, where the server cannot hide it, its version banner (a warning). */
function raisedNothing(checks: CheckResult[], o: { banner?: boolean } = {}): void {
  const warned = (c: CheckResult): boolean => c.id.startsWith('security.headers.') || (o.banner === true && /^security\.disclosure\./.test(c.id) && c.onFail === 'warn');
  const raised = checks.filter((c) => (c.status === 'failed' || c.status === 'errored') && !warned(c));
  expect(raised.map((c) => `${c.id}: ${c.message}`)).toEqual([]);
  expect(verdictOf(checks)).toBe('stand');
}

/** A web root with /backup/ holding a real gzipped SQL dump, and pages that talk about backups. */
function webRoot(): string {
  const root = mkdtempSync(join(tmp, 'root-'));
  mkdirSync(join(root, 'backup'));
  const dump = `--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nCREATE TABLE public.customers (id integer, email text);\nCOPY public.customers (id, email) FROM stdin;\n1\ta@example.test\n\\.\n`;
  writeFileSync(join(root, 'backup', 'shop-2026-12-01.sql.gz'), gzipSync(Buffer.from(dump)));
  writeFileSync(join(root, 'backup', 'README.txt'), 'nightly dumps\n');
  writeFileSync(join(root, 'index.html'), '<!doctype html><html><head><title>Shop</title></head><body><h1>Shop</h1><p>Our backup policy: see the Index of services below.</p><h2>Index of services</h2></body></html>');
  for (const d of [root, join(root, 'backup')]) chmodSync(d, 0o755);
  chmodSync(tmp, 0o755);
  return root;
}

describe.skipIf(skipWithoutNginx())('nginx', () => {
  it('autoindex on /backup/ serving a gzipped SQL dump → rollback naming the listing and the dump', async () => {
    const nginx = await startNginx({ root: webRoot(), server: 'location /backup/ { autoindex on; }' });
    try {
      const { byId, verdict } = await run(nginx.url);
      expect(byId.get('security.exposed.base.listing')).toMatchObject({ status: 'failed', severity: 'critical' });
      expect(byId.get('security.exposed.base.listing')?.message).toMatch(/\/backup\/ \(nginx autoindex, 2 entries.*serves \/backup\/shop-2026-12-01\.sql\.gz \(a gzip file\)/);
      expect(verdict).toBe('rollback');
    } finally {
      await nginx.stop();
    }
  });

  it('the same site without autoindex (pages mentioning "backup" and "Index of") raises nothing', async () => {
    const nginx = await startNginx({ root: webRoot(), server: 'server_tokens off;' });
    try {
      const { checks, byId } = await run(nginx.url);
      raisedNothing(checks);
      for (const id of ['security.exposed.base.listing', 'security.debug.base.error-page', 'security.methods.base.trace', 'security.disclosure.base.headers']) expect(byId.get(id)?.status, id).toBe('passed');
    } finally {
      await nginx.stop();
    }
  });
});

/** A site whose home page loads its own script and links to a PHP login page. */
function appRoot(o: { leaks: boolean }): string {
  const root = webRoot();
  mkdirSync(join(root, 'static'));
  chmodSync(join(root, 'static'), 0o755);
  writeFileSync(join(root, 'index.html'), '<!doctype html><html><head><title>Shop</title><script src="/static/app.js"></script></head><body><a href="/login.php">Sign in</a></body></html>');
  writeFileSync(join(root, 'static', 'app.js'), `console.log("shop");\n${o.leaks ? '//# sourceMappingURL=app.js.map\n' : ''}`);
  if (o.leaks) {
    writeFileSync(join(root, 'static', 'app.js.map'), JSON.stringify({ version: 3, file: 'app.js', sources: ['src/app.ts'], sourcesContent: ['console.log("shop");'], names: [], mappings: 'AAAA' }));
    // An editor's backup beside the page: the PHP handler runs login.php, nginx serves login.php~ as a plain file.
    writeFileSync(join(root, 'login.php~'), '<?php\n$db = new PDO("pgsql:host=db", "shop", "s3cret-db-pass");\n');
  }
  return root;
}

describe.skipIf(skipWithoutNginx())("nginx: the site's own files", () => {
  it('a public source map of its script and a ~ copy of its PHP login page → rollback naming both', async () => {
    const nginx = await startNginx({ root: appRoot({ leaks: true }), server: 'server_tokens off;' });
    try {
      const { byId, verdict } = await run(nginx.url);
      expect(byId.get('security.exposed.base.source-map')).toMatchObject({ status: 'failed', severity: 'major', message: expect.stringMatching(/\/static\/app\.js\.map is the source map of \/static\/app\.js \(1 sources, 1 with their source text\)/) });
      expect(byId.get('security.exposed.base.page-copy')).toMatchObject({ status: 'failed', severity: 'critical', message: expect.stringMatching(/\/login\.php~ answered 200 with PHP source code/) });
      expect(JSON.stringify([...byId.values()])).not.toContain('s3cret-db-pass');
      expect(verdict).toBe('rollback');
    } finally {
      await nginx.stop();
    }
  });

  it('the same site without them, as an SPA answering index.html for every path, raises nothing', async () => {
    const nginx = await startNginx({ root: appRoot({ leaks: false }), server: 'server_tokens off;\nlocation / { try_files $uri /index.html; }' });
    try {
      const { checks, byId } = await run(nginx.url);
      raisedNothing(checks);
      for (const id of ['security.exposed.base.source-map', 'security.exposed.base.page-copy']) expect(byId.get(id)?.status, id).toBe('passed');
    } finally {
      await nginx.stop();
    }
  });
});

describe.skipIf(skipWithoutApache())('Apache httpd', () => {
  it('Options +Indexes on /backup/ and TraceEnable on → rollback for the listing, TRACE reported (minor)', async () => {
    const apache = await startApache({ root: webRoot(), config: 'TraceEnable on\n<Directory "/">\n  Options +Indexes\n</Directory>' });
    try {
      const { byId, verdict } = await run(apache.url);
      expect(byId.get('security.exposed.base.listing')?.message).toMatch(/\/backup\/ \(Apache, .*shop-2026-12-01\.sql\.gz \(a gzip file\)/);
      expect(byId.get('security.methods.base.trace')).toMatchObject({ status: 'failed', severity: 'minor', onFail: 'warn' });
      // Debian's default ServerTokens names the version: reported, not a rollback.
      expect(byId.get('security.disclosure.base.headers')).toMatchObject({ status: 'failed', onFail: 'warn', message: expect.stringMatching(/server: Apache\/2\.\d/) });
      expect(verdict).toBe('rollback');
    } finally {
      await apache.stop();
    }
  });

  it('the same site healthy (no indexes, TraceEnable off) raises nothing', async () => {
    const apache = await startApache({ root: webRoot(), config: 'TraceEnable off\nServerTokens Prod' });
    try {
      const { checks, byId } = await run(apache.url);
      raisedNothing(checks);
      expect(byId.get('security.methods.base.trace')?.status).toBe('passed');
    } finally {
      await apache.stop();
    }
  });
});

describe.skipIf(skipWithoutLighttpd())('lighttpd', () => {
  it('dir-listing on /backup/ serving a gzipped SQL dump → rollback naming the listing and the dump', async () => {
    const l = await startLighttpd({ root: webRoot(), config: '$HTTP["url"] =^ "/backup/" { dir-listing.activate = "enable" }' });
    try {
      const { byId, verdict } = await run(l.url);
      expect(byId.get('security.exposed.base.listing')).toMatchObject({ status: 'failed', severity: 'critical' });
      expect(byId.get('security.exposed.base.listing')?.message).toMatch(/\/backup\/ \(lighttpd, .*serves \/backup\/shop-2026-12-01\.sql\.gz \(a gzip file\)/);
      expect(verdict).toBe('rollback');
    } finally {
      await l.stop();
    }
  });

  it('the same site without dir-listing raises nothing', async () => {
    const l = await startLighttpd({ root: webRoot() });
    try {
      const { checks, byId } = await run(l.url);
      raisedNothing(checks);
      expect(byId.get('security.exposed.base.listing')?.status).toBe('passed');
    } finally {
      await l.stop();
    }
  });
});

describe("Node's serve-index (Express/connect)", () => {
  const app = join(FIXTURES, 'serve-index-app.mjs');
  it('a listing of the web root and /backup/ serving a gzipped SQL dump → rollback naming the listing and the dump', async () => {
    const s = await startProcess(process.execPath, (port) => [app, String(port)], { ROOT: webRoot(), LISTING: '1' });
    try {
      const { byId, verdict } = await run(s.url);
      expect(byId.get('security.exposed.base.listing')?.message).toMatch(/\/backup\/ \(Node serve-index, .*serves \/backup\/shop-2026-12-01\.sql\.gz \(a gzip file\)/);
      expect(verdict).toBe('rollback');
    } finally {
      await s.stop();
    }
  });

  it('the same server without serve-index raises nothing', async () => {
    const s = await startProcess(process.execPath, (port) => [app, String(port)], { ROOT: webRoot() });
    try {
      const { checks, byId } = await run(s.url);
      raisedNothing(checks);
      expect(byId.get('security.exposed.base.listing')?.status).toBe('passed');
    } finally {
      await s.stop();
    }
  });
});

/** A server started as `cmd args…` on a free port, ready when `/` answers. */
async function startProcess(cmd: string, args: (port: number) => string[], env: Record<string, string> = {}): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmp, 'proc-'));
  const p = await startServerProcess(cmd, args(port), { dir, what: cmd, env: { ...process.env, ...env }, ready: () => fetch(`${url}/`, { redirect: 'manual' }).then(() => true, () => false), readyTimeoutMs: 30_000 });
  return { url, stop: p.stop };
}

const hasDjango = (): boolean => spawnSync(PYTHON, ['-c', 'import django'], { stdio: 'ignore' }).status === 0;

describe.skipIf(missingBinary('python3', existsSync(PYTHON), 'apt-get install python3'))("Python's http.server", () => {
  it('lists its web root and /backup/ → rollback naming the dump', async () => {
    const root = webRoot();
    const s = await startProcess(PYTHON, (port) => ['-m', 'http.server', '--bind', '127.0.0.1', '--directory', join(root, 'backup'), String(port)]);
    try {
      const { byId, verdict } = await run(s.url);
      expect(byId.get('security.exposed.base.listing')?.message).toMatch(/\/ \(Python http\.server, 2 entries.*serves \/shop-2026-12-01\.sql\.gz \(a gzip file\)/);
      expect(verdict).toBe('rollback');
    } finally {
      await s.stop();
    }
  });
});

describe.skipIf(missingBinary('Django (python3-django)', hasDjango(), 'apt-get install python3-django'))('Django', () => {
  const app = join(FIXTURES, 'django_app.py');
  it('DEBUG = True: the technical 404 page for a path that cannot exist → rollback (critical)', async () => {
    const s = await startProcess(PYTHON, (port) => [app, String(port)], { PDV_DJANGO_DEBUG: '1' });
    try {
      const { byId, verdict } = await run(s.url);
      expect(byId.get('security.debug.base.error-page')).toMatchObject({ status: 'failed', severity: 'critical' });
      expect(byId.get('security.debug.base.error-page')?.message).toMatch(/answered 404 with Django's debug page/);
      expect(verdict).toBe('rollback');
    } finally {
      await s.stop();
    }
  });

  it('DEBUG = False raises nothing', async () => {
    const s = await startProcess(PYTHON, (port) => [app, String(port)]);
    try {
      // runserver always names itself (WSGIServer/0.2 CPython/3.x): a banner warning, nothing else.
      raisedNothing((await run(s.url)).checks, { banner: true });
    } finally {
      await s.stop();
    }
  });
});

describe('Express', () => {
  const app = join(FIXTURES, 'express-app.mjs');
  it('NODE_ENV=development: a malformed JSON body shows the stack trace → rollback (critical)', async () => {
    const s = await startProcess(process.execPath, (port) => [app, String(port)], { NODE_ENV: 'development' });
    try {
      const { byId, verdict } = await run(s.url);
      expect(byId.get('security.debug.base.error-page')?.message).toMatch(/POST \/ answered 400 with a Node\.js stack trace/);
      expect(verdict).toBe('rollback');
    } finally {
      await s.stop();
    }
  });

  it('NODE_ENV=production raises nothing', async () => {
    const s = await startProcess(process.execPath, (port) => [app, String(port)], { NODE_ENV: 'production' });
    try {
      raisedNothing((await run(s.url)).checks);
    } finally {
      await s.stop();
    }
  });
});

describe('a single-page app answering 200 with index.html everywhere', () => {
  it('per-request ids, a page about backups and an "Index of" heading: nothing raised', async () => {
    const server = createServer((req, res) => {
      const nonce = randomBytes(12).toString('base64');
      res.writeHead(200, { 'content-type': 'text/html', 'x-request-id': randomBytes(8).toString('hex') });
      res.end(`<!doctype html><html><head><title>Index of /backup/ — Shop</title><script nonce="${nonce}" src="/app.js"></script></head><body><div id="root" data-req="${randomBytes(8).toString('hex')}"></div><p>Backup and restore guide. Index of /backup/ topics.</p></body></html>`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { checks } = await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      raisedNothing(checks);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
