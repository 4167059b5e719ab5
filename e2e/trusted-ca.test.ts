import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert } from '../demo/tls.ts';
import { readVerdict, runCli } from './helpers/cli.ts';

// A stand behind a private CA: the CA the config names is trusted by every
// plain HTTP exchange (readiness, sign-in, declared checks), not only by the
// security stage — a stand the config trusts must not be rolled back for its
// certificate.

let server: Server;
let dir = '';
let url = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdv-ca-'));
  const { key, cert } = await selfSignedCert('valid');
  await writeFile(join(dir, 'ca.pem'), cert);
  server = createServer({ key, cert }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    // A JSON login and a route only a signed-in caller sees.
    if (req.url === '/api/login') return void res.end(JSON.stringify({ token: 'tok-ca-e2e' }));
    if (req.url === '/api/me') return void res.end(JSON.stringify({ status: req.headers.authorization === 'Bearer tok-ca-e2e' ? 'ok' : 'anonymous' }));
    res.end(JSON.stringify({ status: 'ok', path: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

async function verify(env: Record<string, unknown>, n: number, top: Record<string, unknown> = {}, vars: Record<string, string> = {}) {
  const file = join(dir, `pdv-${n}.config.ts`);
  const config = {
    environments: { staging: { baseUrl: url, health: { path: '/healthz', ready: { json: { status: 'ok' } } }, ...env } },
    stageOrder: ['smoke'],
    stages: { smoke: { checks: [{ id: 'api', path: '/api/things', expect: { json: { status: 'ok' } } }] } },
    reportsDir: join(dir, 'reports'),
    ...top,
  };
  await writeFile(file, `export default ${JSON.stringify(config)};\n`);
  const out = join(dir, `out-${n}`);
  return { ...(await runCli(['verify', '--config', file, '--out', out], { env: vars })), out };
}

describe('environments.<env>.trustedCa', () => {
  it('without it, the self-signed stand fails readiness on TLS (evidence: the certificate is not trusted)', async () => {
    const r = await verify({}, 1);
    expect(r.code).toBe(1);
    expect(readVerdict(r.out).reasons[0]).toMatchObject({ checkId: 'smoke.readiness', message: expect.stringMatching(/TLS/) });
  }, 60_000);

  it('with it, readiness and the declared checks trust the stand → stand', async () => {
    const r = await verify({ trustedCa: 'ca.pem' }, 2);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readVerdict(r.out).checks.find((c) => c.id === 'smoke.api')?.status).toBe('passed');
  }, 60_000);

  // The CA is the run's, given to each exchange (no process-wide dispatcher): the sign-in gets it too.
  it('with it, a role signs in over the private CA and its check sees the session → stand', async () => {
    const role = { credentials: { reader: { username: 'r', passwordEnv: 'PDV_CA_READER_PASSWORD' } }, auth: { type: 'json', url: '/api/login', tokenPath: 'token' } };
    const checks = [{ id: 'me', path: '/api/me', role: 'reader', expect: { json: { status: 'ok' } } }];
    const r = await verify({ trustedCa: 'ca.pem', ...role }, 5, { stages: { smoke: { checks } } }, { PDV_CA_READER_PASSWORD: 'reader-pass-1' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const v = readVerdict(r.out);
    expect(v.checks.find((c) => c.id === 'smoke.login.reader')?.status).toBe('passed');
    expect(v.checks.find((c) => c.id === 'smoke.me')?.status).toBe('passed');
  }, 60_000);

  it('a CA file that cannot be read is a usage error before anything is sent', async () => {
    const r = await verify({ trustedCa: 'missing.pem' }, 3);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/trustedCa/);
  }, 60_000);

  // Regression: the security stage read its own CA list only when it started, after smoke had sent traffic.
  it("the security stage's own CA file is checked before anything is sent too", async () => {
    const r = await verify({}, 4, { stageOrder: ['smoke', 'security'], stages: { security: { trustedCa: 'missing.pem' } } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/stages\.security\.trustedCa/);
    expect(existsSync(r.out)).toBe(false);
  }, 60_000);
});
