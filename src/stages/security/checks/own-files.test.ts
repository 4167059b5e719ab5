import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { serveHttp, testRun } from '../_test-run.ts';
import { exposedChecks } from './exposed.ts';
import { Logins } from './login.ts';
import { optionsCheck } from './options.ts';
import { copyCandidates, sourceMapFacts } from './own-pages.ts';

// Files derived from the site's own pages (source maps of its scripts, editor
// and backup copies of its pages) and OPTIONS against the access table:
// servers that leak them, and twins — an SPA answering index.html everywhere,
// an app without OPTIONS — that must raise nothing.

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
async function serve(handler: Handler): Promise<string> {
  const s = await serveHttp((req, _body, res) => handler(req, res));
  closers.push(s.close);
  return s.url;
}

const HOME = '<!doctype html><html><head><title>Shop</title><script src="/static/app.js"></script><script src="https://cdn.example/lib.js"></script></head><body><a href="/login.php">Sign in</a> <a href="/about.html">About</a></body></html>';
const MAP = { version: 3, file: 'app.js', sources: ['src/main.ts', 'src/db.ts'], sourcesContent: ['import { db } from "./db";', 'export const db = "postgres://…";'], names: [], mappings: 'AAAA,SAAS' };
const only = (ids: string[]) => ({ exposed: { only: ids } });
const found = async (url: string, ids: string[]) => new Map((await exposedChecks(testRun({ webUrl: url, config: only(ids) }), 'base', url)).map((c) => [c.id, c]));

/** An SPA: index.html (with per-request ids) for every path. */
const spa: Handler = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(HOME.replace('<body>', `<body data-request="${Math.random().toString(36).slice(2)}">`));

describe('public source maps of the site\'s own scripts', () => {
  it('a map named by sourceMappingURL, with the sources embedded → major, saying what leaked; the CDN script is not asked', async () => {
    const asked: string[] = [];
    const url = await serve((req, res) => {
      asked.push(req.url ?? '');
      if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(HOME);
      if (req.url === '/static/app.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end('console.log(1);\n//# sourceMappingURL=app.min.js.map\n');
      if (req.url === '/static/app.min.js.map') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(MAP));
      res.writeHead(404).end('not found');
    });
    const c = (await found(url, ['source-map'])).get('security.exposed.base.source-map');
    expect(c).toMatchObject({ status: 'failed', severity: 'major' });
    expect(c?.message).toMatch(/\/static\/app\.min\.js\.map is the source map of \/static\/app\.js \(2 sources, 2 with their source text\)/);
    expect(JSON.stringify(c?.evidence)).not.toMatch(/postgres/);
    expect(asked).not.toContain('/lib.js');
  });

  it('<script>.map with source names only → minor', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(HOME);
      if (req.url === '/static/app.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end('console.log(1);\n');
      if (req.url === '/static/app.js.map') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...MAP, sourcesContent: undefined }));
      res.writeHead(404).end();
    });
    const c = (await found(url, ['source-map'])).get('security.exposed.base.source-map');
    expect(c).toMatchObject({ status: 'failed', severity: 'minor', message: expect.stringMatching(/2 sources, names only/) });
  });

  it('an SPA answering index.html for the .map raises nothing; a page without own scripts is skipped, not passed', async () => {
    const url = await serve(spa);
    expect((await found(url, ['source-map'])).get('security.exposed.base.source-map')?.status).toBe('passed');
    const bare = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><p>hello</p></body></html>'));
    expect((await found(bare, ['source-map'])).get('security.exposed.base.source-map')).toMatchObject({ status: 'skipped', message: expect.stringMatching(/no script of the site's own origin/) });
  });

  it('only a revision-3 map with mappings counts', () => {
    expect(sourceMapFacts(JSON.stringify(MAP))).toEqual({ sources: 2, embedded: 2 });
    expect(sourceMapFacts(`)]}'\n${JSON.stringify(MAP)}`)).toEqual({ sources: 2, embedded: 2 });
    expect(sourceMapFacts(JSON.stringify({ version: 3, sections: [{ offset: { line: 0, column: 0 }, map: MAP }] }))).toEqual({ sources: 2, embedded: 2 });
    expect(sourceMapFacts(JSON.stringify({ version: 2, sources: [], mappings: '' }))).toBeUndefined();
    expect(sourceMapFacts(JSON.stringify({ sources: ['a'] }))).toBeUndefined();
    expect(sourceMapFacts(HOME)).toBeUndefined();
  });
});

describe('editor and backup copies of the site\'s pages', () => {
  it('derives ~, .swp, .bak and .old of server-side pages only', () => {
    expect(copyCandidates('/admin/login.php')).toEqual(['/admin/login.php~', '/admin/.login.php.swp', '/admin/login.php.bak', '/admin/login.php.old']);
    expect(copyCandidates('/about.html')).toEqual([]);
    expect(copyCandidates('/')).toEqual([]);
  });

  it('a PHP page\'s ~ copy and its Vim swap file → critical, naming both, no source text in the evidence', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html', 'x-powered-by': 'PHP/8.2.7' }).end(HOME);
      if (req.url === '/login.php') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><form method="post"><input type="password" name="pw"></form></body></html>');
      if (req.url === '/login.php~') return res.writeHead(200, { 'content-type': 'text/plain' }).end('<?php\n$db_password = "hunter2-db";\n?>\n<html><body><form method="post"></form></body></html>\n');
      if (req.url === '/.index.php.swp') return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.concat([Buffer.from('b0VIM 9.0'), Buffer.alloc(100)]));
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
    });
    const c = (await found(url, ['page-copy'])).get('security.exposed.base.page-copy');
    expect(c).toMatchObject({ status: 'failed', severity: 'critical' });
    expect(c?.message).toMatch(/\/login\.php~ answered 200 with PHP source code/);
    expect(c?.message).toMatch(/\/\.index\.php\.swp answered 200 with a Vim swap file/);
    expect(JSON.stringify(c)).not.toMatch(/hunter2/);
  });

  it('an SPA answering index.html for every copy, and a copy identical to the rendered page, raise nothing', async () => {
    const url = await serve(spa);
    expect((await found(url, ['page-copy'])).get('security.exposed.base.page-copy')?.status).toBe('passed');
    const rendered = await serve((req, res) => res.writeHead(req.url === '/' || req.url?.startsWith('/login.php') ? 200 : 404, { 'content-type': 'text/html' }).end(req.url === '/' ? HOME : '<html><body>Sign in</body></html>'));
    expect((await found(rendered, ['page-copy'])).get('security.exposed.base.page-copy')?.status).toBe('passed');
  });

  it("an ASP page's .old copy showing its server code is found; the rendered page itself is not a copy", async () => {
    const url = await serve((req, res) => {
      if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><a href="/default.asp">Home</a></body></html>');
      if (req.url === '/default.asp') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome, guest</body></html>');
      if (req.url === '/default.asp.old') return res.writeHead(200, { 'content-type': 'text/plain' }).end('<html><body>Welcome, <% Response.Write(Session("user")) %></body></html>');
      res.writeHead(404).end();
    });
    expect((await found(url, ['page-copy'])).get('security.exposed.base.page-copy')?.message).toMatch(/\/default\.asp\.old answered 200 with ASP\/JSP server code/);
  });

  it('a site with no server-side page is skipped with the reason, not passed', async () => {
    const url = await serve((req, res) => res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html' }).end('<html><body><a href="/about.html">About</a></body></html>'));
    expect((await found(url, ['page-copy'])).get('security.exposed.base.page-copy')).toMatchObject({ status: 'skipped', message: expect.stringMatching(/no server-side page/) });
  });
});

describe('OPTIONS against the access table', () => {
  const rules = [
    { method: 'DELETE', path: '/api/projects', role: 'anonymous', expect: [401, 403] },
    { method: 'GET', path: '/api/projects', role: 'anonymous', expect: 200 },
  ];
  const check = async (handler: Handler) => {
    const url = await serve(handler);
    const r = testRun({ apiUrl: url, config: { access: { rules } } });
    return optionsCheck(r, new Logins(r));
  };

  it('an Allow advertising the forbidden DELETE → reported (minor, warn), naming the rule', async () => {
    const c = await check((req, res) => res.writeHead(req.method === 'OPTIONS' ? 204 : 403, { allow: 'GET, HEAD, POST, DELETE' }).end());
    expect(c).toMatchObject({ id: 'security.methods.options', status: 'failed', severity: 'minor', onFail: 'warn' });
    expect(c.message).toMatch(/OPTIONS \/api\/projects as anonymous advertises DELETE \(access rule anonymous-delete-api-projects expects it refused\) in allow/);
  });

  it('Access-Control-Allow-Methods on a plain OPTIONS counts too; an Allow without DELETE passes', async () => {
    expect((await check((_req, res) => res.writeHead(200, { 'access-control-allow-methods': 'GET,DELETE' }).end())).status).toBe('failed');
    expect((await check((_req, res) => res.writeHead(200, { allow: 'GET, HEAD' }).end())).status).toBe('passed');
  });

  it('an OPTIONS the app does not implement (405/501/404 without Allow) is skipped, never passed', async () => {
    for (const status of [405, 501, 404]) {
      const c = await check((_req, res) => res.writeHead(status).end());
      expect(c, String(status)).toMatchObject({ status: 'skipped', message: expect.stringMatching(new RegExp(`answered ${status}`)) });
    }
  });
});
