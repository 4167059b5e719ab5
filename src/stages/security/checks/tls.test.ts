import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testRun } from '../_test-run.ts';
import { tlsChecks } from './tls.ts';
import { probeSslv3 } from './tls-probe.ts';

// Real TLS servers on loopback with certificates made here: a test CA, and
// leaves that are valid, expired, about to expire, for another host, or
// signed by an issuer nobody trusts.

const DAY = 86_400_000;
type Pems = { key: string; cert: string };

async function leaf(o: { ca: Pems; from?: number; to?: number; hosts?: string[] }): Promise<Pems> {
  const now = Date.now();
  const san = (o.hosts ?? ['127.0.0.1']).map((h) => (net.isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h }));
  const p = await generate([{ name: 'commonName', value: o.hosts?.[0] ?? 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(o.from ?? now - DAY),
    notAfterDate: new Date(o.to ?? now + 90 * DAY),
    extensions: [{ name: 'basicConstraints', cA: false }, { name: 'subjectAltName', altNames: san }],
    ca: o.ca,
  });
  return { key: p.private, cert: p.cert };
}

async function caCert(name: string): Promise<Pems> {
  const now = Date.now();
  const p = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - DAY),
    notAfterDate: new Date(now + 365 * DAY),
    extensions: [{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true }],
  });
  return { key: p.private, cert: p.cert };
}

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function serve(pems: Pems, extra: https.ServerOptions = {}): Promise<string> {
  const s = https.createServer({ ...pems, ...extra }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  servers.push(s);
  return `https://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

let ca: Pems;
let rogue: Pems;
beforeAll(async () => {
  ca = await caCert('pdv test CA');
  rogue = await caCert('nobody trusts me');
});

async function run(url: string, trust: string[] = [ca.cert], config: Record<string, unknown> = {}) {
  const r = testRun({ ca: trust, config });
  const out = await tlsChecks(r, { name: 'base', httpsUrl: url });
  const by = (k: string) => out.checks.find((c) => c.id === `security.tls.base.${k}`);
  return { by, out };
}

describe('TLS checks against real loopback servers', () => {
  it('a valid certificate from a trusted CA passes everything', async () => {
    const url = await serve(await leaf({ ca }));
    const { by, out } = await run(url);
    for (const k of ['protocol-sslv3', 'protocol-tls1-0', 'protocol-tls1-1', 'cert-expired', 'cert-expiring', 'hostname', 'chain']) expect(by(k)?.status, k).toBe('passed');
    expect(out.summary?.daysLeft).toBe(90);
  });

  it('an expired certificate fails critical', async () => {
    const url = await serve(await leaf({ ca, from: Date.now() - 60 * DAY, to: Date.now() - DAY }));
    const { by } = await run(url);
    expect(by('cert-expired')).toMatchObject({ status: 'failed', severity: 'critical' });
    expect(by('cert-expiring')?.status).toBe('skipped');
    expect(by('chain')?.status).toBe('passed');
  });

  it('a certificate expiring within the configured days fails with onFail hold and the days left', async () => {
    const url = await serve(await leaf({ ca, to: Date.now() + 5 * DAY }));
    const { by } = await run(url, [ca.cert], { tls: { expiryDays: 14 } });
    expect(by('cert-expiring')).toMatchObject({ status: 'failed', onFail: 'hold', observed: 5, limit: 14 });
    expect(by('cert-expiring')?.message).toMatch(/expires in 5 days/);
    expect(by('cert-expired')?.status).toBe('passed');
  });

  it('a certificate for another host fails the hostname check', async () => {
    const url = await serve(await leaf({ ca, hosts: ['other.test'] }));
    const { by } = await run(url);
    expect(by('hostname')).toMatchObject({ status: 'failed', severity: 'critical' });
    expect(by('hostname')?.message).toMatch(/does not cover 127\.0\.0\.1/);
  });

  it('a certificate from an unknown issuer fails the chain check', async () => {
    const url = await serve(await leaf({ ca: rogue }));
    const { by } = await run(url, [ca.cert]);
    expect(by('chain')).toMatchObject({ status: 'failed', severity: 'critical' });
    expect(by('chain')?.message).toMatch(/issuer not trusted/);
  });

  it('a self-signed certificate passes only when it is configured as trusted', async () => {
    const self = await caCert('127.0.0.1');
    const url = await serve(self);
    expect((await run(url, [])).by('chain')?.status).toBe('failed');
    expect((await run(url, [self.cert])).by('chain')?.status).toBe('passed');
  });

  it('a server that still offers TLS 1.0 fails the TLS 1.0 check (minor)', async () => {
    const url = await serve(await leaf({ ca }), { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
    const { by } = await run(url);
    expect(by('protocol-tls1-0')).toMatchObject({ status: 'failed', severity: 'minor' });
    expect(by('protocol-tls1-1')).toMatchObject({ status: 'failed', severity: 'minor' });
  });

  it('a server answering an SSLv3 ServerHello fails the SSLv3 check (critical)', async () => {
    // OpenSSL 3 cannot serve SSLv3: a raw socket answers the hello the way an SSLv3 server would.
    const s = net.createServer((sock) => {
      sock.once('data', () => {
        const hello = Buffer.concat([Buffer.from([0x02, 0x00, 0x00, 0x26, 0x03, 0x00]), Buffer.alloc(32), Buffer.from([0x00, 0x00, 0x35, 0x00])]);
        sock.end(Buffer.concat([Buffer.from([0x16, 0x03, 0x00, 0x00, hello.length]), hello]));
      });
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    servers.push(s);
    const port = (s.address() as AddressInfo).port;
    expect(await probeSslv3({ host: '127.0.0.1', port, timeoutMs: 2000 })).toMatchObject({ offered: true });
    const { by } = await run(`https://127.0.0.1:${port}`);
    expect(by('protocol-sslv3')).toMatchObject({ status: 'failed', severity: 'critical' });
  });

  it('nothing listening: errored, never passed', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const { by } = await run(`https://127.0.0.1:${port}`);
    expect(by('chain')?.status).toBe('errored');
    expect(by('protocol-tls1-0')?.status).toBe('errored');
  });
});
