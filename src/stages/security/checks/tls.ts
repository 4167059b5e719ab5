import tls, { type SecureVersion } from 'node:tls';
import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult } from '../../../core/types.ts';
import { makeCheck } from '../result.ts';
import type { SecurityRun, Site } from '../run-context.ts';
import { fetchChain, probeSslv3, probeTlsVersion, trustStore, verifyChain, type Offered, type ProbeTarget } from './tls-probe.ts';

const DAY = 86_400_000;

export interface TlsSummary {
  site: string;
  url: string;
  protocols: Record<string, boolean | null>;
  validTo?: string;
  daysLeft?: number;
  subject?: string;
  issuer?: string;
}

/** SSLv3, TLS 1.0 and 1.1 offered or not, one probe each (an offered one fails). */
async function protocolChecks(run: SecurityRun, target: ProbeTarget, url: string, summary: TlsSummary, slug: (s: string) => string): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  const protocols: Array<[def: string, label: string, probe: () => Promise<Offered>]> = [
    ['tls.protocol-sslv3', 'SSLv3', () => probeSslv3(target)],
    ['tls.protocol-tls1-0', 'TLS 1.0', () => probeTlsVersion(target, 'TLSv1' as SecureVersion)],
    ['tls.protocol-tls1-1', 'TLS 1.1', () => probeTlsVersion(target, 'TLSv1.1' as SecureVersion)],
  ];
  for (const [def, label, probe] of protocols) {
    const startedAt = Date.now();
    run.budget.take();
    const r = await probe();
    const key = def.slice('tls.'.length);
    summary.protocols[label] = 'error' in r ? null : r.offered;
    checks.push(
      makeCheck({
        def,
        slug: slug(key),
        status: 'error' in r ? 'errored' : r.offered ? 'failed' : 'passed',
        message: 'error' in r ? `could not probe ${label} on ${url}: ${r.error}` : `${label} ${r.offered ? 'offered' : 'not offered'} by ${url} (${r.detail})`,
        url,
        observed: 'error' in r ? null : r.offered,
        limit: false,
        startedAt,
      }),
    );
  }
  return checks;
}

export async function tlsChecks(run: SecurityRun, site: Site, now = Date.now()): Promise<{ checks: CheckResult[]; summary?: TlsSummary }> {
  if (!site.httpsUrl) return { checks: [] };
  const url = site.httpsUrl;
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const target: ProbeTarget = { host, port: Number(u.port || 443), timeoutMs: run.config.requestTimeout, signal: run.signal };
  const checks: CheckResult[] = [];
  const summary: TlsSummary = { site: site.name, url, protocols: {} };
  const slug = (s: string): string => `tls.${site.name}.${s}`;

  checks.push(...(await protocolChecks(run, target, url, summary, slug)));

  const startedAt = Date.now();
  run.budget.take();
  let chain;
  try {
    chain = await fetchChain(target);
  } catch (err) {
    for (const k of ['cert-expired', 'cert-expiring', 'hostname', 'chain']) {
      checks.push(makeCheck({ def: `tls.${k}`, slug: slug(k), status: 'errored', message: `no certificate from ${url}: ${errorMessage(err)}`, url, startedAt }));
    }
    return { checks, summary };
  }
  const leaf = chain.certs[0];
  if (!leaf) return { checks, summary };
  const validTo = Date.parse(leaf.validTo);
  const validFrom = Date.parse(leaf.validFrom);
  const daysLeft = Math.round((validTo - now) / DAY);
  const notAfter = new Date(validTo).toISOString();
  Object.assign(summary, { validTo: notAfter, daysLeft, subject: leaf.subject.replace(/\n/g, ', '), issuer: leaf.issuer.replace(/\n/g, ', ') });
  const certEvidence = [{ kind: 'json' as const, label: 'certificate', data: { subject: summary.subject, issuer: summary.issuer, validFrom: new Date(validFrom).toISOString(), validTo: notAfter, subjectAltName: leaf.subjectAltName ?? null, fingerprint256: leaf.fingerprint256, protocol: chain.protocol } }];

  const expired = now > validTo;
  const notYet = now < validFrom;
  checks.push(
    makeCheck({
      def: 'tls.cert-expired',
      slug: slug('cert-expired'),
      status: expired || notYet ? 'failed' : 'passed',
      message: expired ? `certificate of ${url} expired on ${notAfter} (${-daysLeft} days ago)` : notYet ? `certificate of ${url} not valid before ${new Date(validFrom).toISOString()}` : `certificate of ${url} valid until ${notAfter}`,
      url,
      observed: notAfter,
      startedAt,
      evidence: certEvidence,
    }),
  );
  const limitDays = run.config.tls.expiryDays;
  checks.push(
    makeCheck({
      def: 'tls.cert-expiring',
      slug: slug('cert-expiring'),
      status: expired ? 'skipped' : daysLeft < limitDays ? 'failed' : 'passed',
      message: expired
        ? `certificate already expired (see security.${slug('cert-expired')})`
        : `certificate of ${url} expires in ${daysLeft} days (${notAfter}); hold below ${limitDays} days`,
      url,
      observed: daysLeft,
      limit: limitDays,
      unit: 'days',
      startedAt,
      evidence: certEvidence,
    }),
  );
  const mismatch = tls.checkServerIdentity(host, chain.peer);
  checks.push(
    makeCheck({
      def: 'tls.hostname',
      slug: slug('hostname'),
      status: mismatch ? 'failed' : 'passed',
      message: mismatch ? `certificate of ${url} does not cover ${host}: ${mismatch.message}` : `certificate covers ${host}`,
      url,
      startedAt,
      evidence: certEvidence,
    }),
  );
  const verdict = verifyChain(chain.certs, trustStore(run.ca));
  checks.push(
    makeCheck({
      def: 'tls.chain',
      slug: slug('chain'),
      status: verdict.ok ? 'passed' : 'failed',
      message: `${url}: ${verdict.detail}`,
      url,
      startedAt,
      evidence: certEvidence,
    }),
  );
  return { checks, summary };
}
