import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult, Severity } from '../../../core/types.ts';
import type { ProbeRequest } from '../../../http/probe-client.ts';
import { makeCheck } from '../result.ts';
import { joinUrl, type SecurityRun } from '../run-context.ts';
import { siteGate } from './gate.ts';


// Debug pages and stack traces (matched in checks/answer-watch.ts): the
// technical error pages frameworks show in development and raw stack traces,
// in the answers to a path that cannot exist and to malformed requests — and
// in every other answer the stage receives.

/** A path that cannot exist, a malformed JSON body, a malformed percent-encoding: the ways an app is made to show its error pages. */
function provocations(baseUrl: string): ProbeRequest[] {
  const hex = randomBytes(6).toString('hex');
  return [
    { method: 'POST', url: joinUrl(baseUrl, '/'), headers: { 'content-type': 'application/json', accept: 'text/html,application/json' }, body: '{"pdv":' },
    { url: `${new URL(baseUrl).origin}/pdv-${hex}/%E0%A4%A` },
  ];
}

export async function debugPageCheck(run: SecurityRun, siteName: string, baseUrl: string): Promise<CheckResult> {
  const startedAt = Date.now();
  // The gate asked for a path that cannot exist already (through the watched client).
  const gate = await siteGate(run, baseUrl);
  const errors: string[] = [];
  let answered = 0;
  for (const req of provocations(baseUrl)) {
    try {
      await run.client(req);
      answered += 1;
    } catch (err) {
      errors.push(`${req.method ?? 'GET'} ${new URL(req.url).pathname}: ${errorMessage(err)}`);
    }
  }
  const seen = run.debug.seen.filter((s) => new URL(s.res.url).origin === new URL(baseUrl).origin);
  const meta = { def: 'debug.error-page', slug: `debug.${siteName}.error-page`, url: baseUrl, startedAt, attempts: 2 };
  if (seen.length) {
    const severity: Severity = seen.some((s) => s.sig.severity === 'critical') ? 'critical' : (seen[0]?.sig.severity ?? 'minor');
    const what = seen.map((s) => `${s.req.method ?? 'GET'} ${new URL(s.req.url).pathname} answered ${s.res.status} with ${s.sig.what}`).join('; ');
    return makeCheck({ ...meta, severity, status: 'failed', message: `debug output at ${baseUrl}: ${what}`, evidence: run.debug.evidence(run.redactor).slice(0, 3) });
  }
  if (gate.refusal) return makeCheck({ ...meta, status: 'skipped', message: `the error-page probes never reached the application: ${gate.refusal}` });
  if (!answered) return makeCheck({ ...meta, status: 'errored', message: `could not provoke an error page at ${baseUrl}: ${errors.join('; ')}` });
  return makeCheck({ ...meta, status: 'passed', message: `no debug page or stack trace in the answers to a path that cannot exist, a malformed JSON body and a malformed URL, nor in any other answer at ${baseUrl}` });
}
