import { randomBytes, X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls, { type PeerCertificate, type SecureVersion } from 'node:tls';

// Low-level TLS probes: which protocol versions a server accepts, and the
// certificate chain it presents. No HTTP, one connection per probe.

export interface ProbeTarget {
  host: string;
  port: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type Offered = { offered: boolean; detail: string } | { error: string };

const REFUSALS = /(unsupported protocol|wrong version number|protocol version|alert|handshake failure|no protocols available|ECONNRESET|socket hang up|disconnected|EPIPE|inappropriate fallback|no suitable|sslv3|ERR_SSL)/i;

function servername(host: string): string | undefined {
  return net.isIP(host) ? undefined : host;
}

/** Handshake limited to one TLS version (TLS 1.0 / 1.1 need OpenSSL security level 0 on our side). */
export function probeTlsVersion(t: ProbeTarget, version: SecureVersion): Promise<Offered> {
  return new Promise((resolve) => {
    const sock = tls.connect({
      host: t.host,
      port: t.port,
      servername: servername(t.host),
      minVersion: version,
      maxVersion: version,
      ciphers: 'DEFAULT@SECLEVEL=0',
      rejectUnauthorized: false,
      timeout: t.timeoutMs,
    });
    const done = (r: Offered): void => {
      sock.destroy();
      resolve(r);
    };
    sock.once('secureConnect', () => done({ offered: true, detail: `handshake completed with ${sock.getProtocol() ?? version}` }));
    sock.once('timeout', () => done({ error: `no answer within ${t.timeoutMs} ms` }));
    sock.once('error', (err: NodeJS.ErrnoException) => {
      const text = `${err.code ?? ''} ${err.message.split('\n')[0]?.slice(0, 120) ?? ''}`;
      if (err.code === 'ECONNREFUSED' || err.code === 'ETIMEDOUT' || err.code === 'EHOSTUNREACH') done({ error: text.trim() });
      else if (REFUSALS.test(text)) done({ offered: false, detail: `refused: ${err.code ?? text.trim()}` });
      else done({ error: text.trim() });
    });
  });
}

/** A raw SSLv3 ClientHello (OpenSSL 3 cannot speak SSLv3, so we write the bytes). */
export function sslv3ClientHello(): Buffer {
  const ciphers = [0x0035, 0x002f, 0x000a, 0x0005, 0x0004, 0x0009, 0x0016, 0x0033, 0x0039, 0x00ff];
  const body = Buffer.concat([
    Buffer.from([0x03, 0x00]), // client_version SSL 3.0
    randomBytes(32),
    Buffer.from([0x00]), // no session id
    Buffer.from([(ciphers.length * 2) >> 8, (ciphers.length * 2) & 0xff]),
    Buffer.from(ciphers.flatMap((c) => [c >> 8, c & 0xff])),
    Buffer.from([0x01, 0x00]), // compression: null
  ]);
  const handshake = Buffer.concat([Buffer.from([0x01, 0x00, body.length >> 8, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x00, handshake.length >> 8, handshake.length & 0xff]), handshake]);
}

/** Offered when the server answers with a ServerHello for version 3.0. */
export function probeSslv3(t: ProbeTarget): Promise<Offered> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: t.host, port: t.port });
    let buf = Buffer.alloc(0);
    const done = (r: Offered): void => {
      sock.destroy();
      resolve(r);
    };
    sock.setTimeout(t.timeoutMs, () => done(buf.length ? { offered: false, detail: 'no ServerHello' } : { error: `no answer within ${t.timeoutMs} ms` }));
    sock.once('connect', () => sock.write(sslv3ClientHello()));
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 11) return;
      const type = buf[0];
      if (type === 0x15) return done({ offered: false, detail: 'refused with a TLS alert' });
      if (type !== 0x16) return done({ offered: false, detail: `not a TLS answer (record type ${type})` });
      const hsType = buf[5];
      const major = buf[9];
      const minor = buf[10];
      if (hsType === 0x02 && major === 3 && minor === 0) return done({ offered: true, detail: 'ServerHello for SSL 3.0' });
      return done({ offered: false, detail: `ServerHello for version ${major}.${minor}` });
    });
    sock.once('end', () => done({ offered: false, detail: 'connection closed without a ServerHello' }));
    sock.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') done({ offered: false, detail: `connection reset (${err.code})` });
      else done({ error: `${err.code ?? ''} ${err.message}`.trim() });
    });
  });
}

export interface PresentedChain {
  /** Leaf first. */
  certs: X509Certificate[];
  peer: PeerCertificate;
  protocol: string | null;
}

/** The chain the server presents (no verification: we judge it ourselves). */
export function fetchChain(t: ProbeTarget): Promise<PresentedChain> {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: t.host, port: t.port, servername: servername(t.host), rejectUnauthorized: false, timeout: t.timeoutMs });
    sock.once('secureConnect', () => {
      const peer = sock.getPeerCertificate(true);
      const certs: X509Certificate[] = [];
      const seen = new Set<string>();
      let cur: tls.DetailedPeerCertificate | undefined = peer;
      while (cur?.raw && !seen.has(cur.fingerprint256)) {
        seen.add(cur.fingerprint256);
        certs.push(new X509Certificate(cur.raw));
        cur = cur.issuerCertificate;
      }
      const protocol = sock.getProtocol();
      sock.destroy();
      if (!certs.length) reject(new Error('the server presented no certificate'));
      else resolve({ certs, peer, protocol });
    });
    sock.once('timeout', () => {
      sock.destroy();
      reject(new Error(`no TLS answer within ${t.timeoutMs} ms`));
    });
    sock.once('error', reject);
  });
}

/**
 * Walk the chain: each certificate must be signed by the next, and the last
 * must be, or be signed by, a trusted certificate. Expiry is judged
 * separately, so an expired but otherwise sound chain passes here.
 */
export function verifyChain(certs: X509Certificate[], trusted: X509Certificate[]): { ok: boolean; detail: string } {
  const isTrusted = (c: X509Certificate): boolean => trusted.some((t) => t.fingerprint256 === c.fingerprint256);
  for (let i = 0; i < certs.length; i++) {
    const cert = certs[i] as X509Certificate;
    if (isTrusted(cert)) return { ok: true, detail: `chain ends at trusted ${cert.subject.replace(/\n/g, ', ')}` };
    const next = certs[i + 1];
    if (next && next.fingerprint256 !== cert.fingerprint256) {
      if (!cert.checkIssued(next) || !cert.verify(next.publicKey)) return { ok: false, detail: `certificate ${i} (${cert.subject.replace(/\n/g, ', ')}) is not signed by the next one in the chain` };
      continue;
    }
    const issuer = trusted.find((t) => cert.checkIssued(t) && cert.verify(t.publicKey));
    if (issuer) return { ok: true, detail: `chain ends at trusted ${issuer.subject.replace(/\n/g, ', ')}` };
    const selfSigned = cert.checkIssued(cert);
    return { ok: false, detail: selfSigned ? `self-signed certificate not in the trust store (${cert.subject.replace(/\n/g, ', ')})` : `issuer not trusted: ${cert.issuer.replace(/\n/g, ', ')}` };
  }
  return { ok: false, detail: 'empty chain' };
}

let systemRoots: X509Certificate[] | undefined;

export function trustStore(extraPem: string[]): X509Certificate[] {
  systemRoots ??= tls.rootCertificates.flatMap((pem) => {
    try {
      return [new X509Certificate(pem)];
    } catch {
      return [];
    }
  });
  const extra = extraPem.flatMap((pem) => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p)));
  return [...systemRoots, ...extra];
}
