import net from 'node:net';
import tls from 'node:tls';

/**
 * The PEM certificate a loopback HTTPS server presents. For harnesses that
 * started the server themselves (the demo, tests): pinning what their own
 * child presents is sound there, and only there — never for a remote target.
 */
export function presentedCertificatePem(httpsUrl: string, timeoutMs = 5000): Promise<string> {
  const u = new URL(httpsUrl);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host, port: Number(u.port || 443), servername: net.isIP(host) ? undefined : host, rejectUnauthorized: false, timeout: timeoutMs }, () => {
      const der = sock.getPeerCertificate().raw;
      sock.destroy();
      if (!der) return reject(new Error(`${httpsUrl} presented no certificate`));
      resolve(`-----BEGIN CERTIFICATE-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`);
    });
    sock.once('timeout', () => {
      sock.destroy();
      reject(new Error(`no TLS answer from ${httpsUrl} within ${timeoutMs} ms`));
    });
    sock.once('error', reject);
  });
}
