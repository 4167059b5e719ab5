import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVerdict, runCli } from './helpers/cli.ts';

// A deploy that lost a header is this deploy's fault, minimum grade or not:
// a first stood run records the site's security posture; the same site
// without X-Frame-Options then rolls back, naming the header and the run it
// was last seen in. The real CLI, twice, with one reports folder.

let dir = '';
let server: Server;
let url = '';
let sendHeader = true;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdv-posture-'));
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', ...(sendHeader ? { 'x-frame-options': 'DENY' } : {}) }).end('<!doctype html><title>Shop</title><h1>Shop</h1>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

async function verify(name: string): Promise<{ code: number | null; out: string; stderr: string }> {
  const config = join(dir, 'pdv.config.ts');
  // No minimum grade: without history, header tests are warnings only.
  await writeFile(config, `export default ${JSON.stringify({ environments: { shop: { baseUrl: url, allowedHosts: ['127.0.0.1'] } }, stageOrder: ['security'], stages: { security: { tls: { enabled: false } } }, reportsDir: join(dir, 'reports') })};\n`);
  const out = join(dir, name);
  const r = await runCli(['verify', '--config', config, '--env', 'shop', '--out', out], { timeoutMs: 120_000 });
  return { code: r.code, out, stderr: r.stdout + r.stderr };
}

describe('security posture against the last stood run', () => {
  it('first run stands and is recorded; the same site without X-Frame-Options rolls back naming the header and that run', async () => {
    const first = await verify('first');
    expect(first.code, first.stderr).toBe(0);
    const v1 = readVerdict(first.out);
    expect(v1.checks.find((c) => c.id === 'security.posture.regression')).toMatchObject({ status: 'skipped', message: expect.stringMatching(/no stood run in the history folder yet/) });
    expect(await readdir(join(dir, 'reports/history/shop/security'))).toHaveLength(1);
    expect(await readFile(join(first.out, 'index.html'), 'utf8')).toContain('No earlier stood run: reported, not judged');

    sendHeader = false;
    const second = await verify('second');
    expect(second.code, second.stderr).toBe(1);
    const v2 = readVerdict(second.out);
    expect(v2.verdict).toBe('rollback');
    const reg = v2.checks.find((c) => c.id === 'security.posture.regression');
    expect(reg).toMatchObject({ status: 'failed', severity: 'major' });
    expect(reg?.message).toContain(`headers.base.x-frame-options passed in run ${v1.runId} and fails now`);
    expect(reg?.message).toMatch(/grade of base dropped from/);
    expect(v2.reasons[0]?.checkId).toBe('security.posture.regression');
    // The header test itself stays a warning: the regression is what rolls back.
    expect(v2.checks.find((c) => c.id === 'security.headers.base.x-frame-options')).toMatchObject({ status: 'failed', onFail: 'warn' });
    // The report shows what it was compared with and what was lost.
    const html = await readFile(join(second.out, 'index.html'), 'utf8');
    expect(html).toContain(`<dt>compared with run</dt><dd>${v1.runId}</dd>`);
    expect(html).toContain('<td>headers.base.x-frame-options</td>');
  }, 240_000);
});
