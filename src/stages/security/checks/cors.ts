import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult, Evidence } from '../../../core/types.ts';
import { firstHeader, httpEvidence, type ProbeRequest } from '../../../http/probe-client.ts';
import { makeCheck } from '../result.ts';
import { joinUrl, type SecurityRun } from '../run-context.ts';
import { siteGate } from './gate.ts';
import { anonymousRefusal, notProcessed } from './refusal.ts';

/**
 * Send an Origin no one would allow-list; the site fails when it answers with
 * that origin (or `*`) together with Access-Control-Allow-Credentials: true.
 */
export async function corsCheck(run: SecurityRun, siteName: string, baseUrl: string): Promise<CheckResult> {
  const startedAt = Date.now();
  const origin = `https://pdv-cors-probe-${randomBytes(4).toString('hex')}.example`;
  const evidence: Evidence[] = [];
  const findings: string[] = [];
  const errors: string[] = [];
  const refusals: string[] = [];
  const deniedAnswers: string[] = [];
  let answered = 0;
  const paths = run.config.cors.paths;
  const requests: ProbeRequest[] = paths.map((p) => ({ url: joinUrl(baseUrl, p), headers: { origin } }));
  const first = paths[0];
  if (first) requests.push({ method: 'OPTIONS', url: joinUrl(baseUrl, first), headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
  for (const req of requests) {
    try {
      const res = await run.client(req);
      // A refused probe (CSRF, login redirect) says nothing about CORS; nor does a 401/403 if the whole site gives it.
      const refused = notProcessed(res, req.url, { loginPaths: run.loginPaths });
      const denied = refused ? undefined : anonymousRefusal(res, req.url, run.loginPaths);
      if (refused) refusals.push(`${req.method ?? 'GET'} ${new URL(req.url).pathname}: ${refused}`);
      else if (denied) deniedAnswers.push(`${req.method ?? 'GET'} ${new URL(req.url).pathname}: ${denied}`);
      else answered += 1;
      const acao = firstHeader(res, 'access-control-allow-origin');
      const acac = firstHeader(res, 'access-control-allow-credentials');
      const creds = acac?.trim().toLowerCase() === 'true';
      if (creds && (acao === origin || acao === '*')) {
        findings.push(`${req.method ?? 'GET'} ${new URL(req.url).pathname} answered Access-Control-Allow-Origin: ${acao} with Access-Control-Allow-Credentials: true`);
        evidence.push(httpEvidence(`${req.method ?? 'GET'} ${new URL(req.url).pathname} with a foreign Origin`, req, res, run.redactor));
      }
    } catch (err) {
      errors.push(`${new URL(req.url).pathname}: ${errorMessage(err)}`);
    }
  }
  const gate = deniedAnswers.length && !answered ? await siteGate(run, baseUrl) : undefined;
  if (gate?.refusal) refusals.push(...deniedAnswers);
  else answered += deniedAnswers.length;
  const status = findings.length ? 'failed' : answered > 0 ? 'passed' : refusals.length ? 'skipped' : 'errored';
  const message = findings.length
    ? `arbitrary Origin ${origin} trusted with credentials at ${baseUrl}: ${findings.join('; ')}`
    : answered > 0
      ? `foreign Origin not granted credentialed access at ${baseUrl} (${answered} answers${refusals.length ? `; not counted: ${refusals.join('; ')}` : ''})`
      : refusals.length
        ? `every CORS probe at ${baseUrl} was refused before the application answered it, so nothing was tested: ${refusals.join('; ')}${gate?.refusal ? ` (${gate.refusal})` : ''} — name a path anonymous callers may read in stages.security.cors.paths`
        : `no answer to the CORS probes at ${baseUrl}: ${errors.join('; ')}`;
  return makeCheck({ def: 'cors.credentials', slug: `cors.${siteName}`, status, message, url: baseUrl, startedAt, evidence, attempts: requests.length });
}
