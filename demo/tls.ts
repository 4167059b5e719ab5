import { generate } from 'selfsigned';

export type CertMode = 'valid' | 'expired' | 'expiring';

const DAY = 86_400_000;

/** Self-signed certificate for 127.0.0.1/localhost; validity per mode (faults expired-cert, cert-expiring). */
export async function selfSignedCert(mode: CertMode, now = Date.now()): Promise<{ key: string; cert: string; notBefore: Date; notAfter: Date }> {
  const windows: Record<CertMode, [number, number]> = {
    valid: [now - DAY, now + 90 * DAY],
    expired: [now - 90 * DAY, now - DAY],
    expiring: [now - 85 * DAY, now + 5 * DAY],
  };
  const [from, to] = windows[mode];
  const notBefore = new Date(from);
  const notAfter = new Date(to);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'AI Film Studio (demo)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  return { key: pems.private, cert: pems.cert, notBefore, notAfter };
}
