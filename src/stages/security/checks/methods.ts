import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult, Evidence } from '../../../core/types.ts';
import { httpEvidence, type ProbeRequest } from '../../../http/probe-client.ts';
import { makeCheck } from '../result.ts';
import { joinUrl, type SecurityRun } from '../run-context.ts';
import { siteGate } from './gate.ts';

// TRACE (and IIS's TRACK) answered with an echo of the request: cross-site
// tracing. Browsers refuse to send TRACE from scripts, so this is reported
// (minor, warn), not a rollback.

export async function traceCheck(run: SecurityRun, siteName: string, baseUrl: string): Promise<CheckResult> {
  const startedAt = Date.now();
  const marker = `pdv-trace-${randomBytes(6).toString('hex')}`;
  const evidence: Evidence[] = [];
  const echoes: string[] = [];
  const notes: string[] = [];
  let answered = 0;
  for (const method of ['TRACE', 'TRACK']) {
    const req: ProbeRequest = { method, url: joinUrl(baseUrl, '/'), headers: { 'x-pdv-trace': marker } };
    try {
      const res = await run.client(req);
      answered += 1;
      if (res.status >= 200 && res.status < 300 && res.body.includes(marker)) {
        echoes.push(`${method} / answered ${res.status} echoing the request`);
        evidence.push(httpEvidence(`${method} /`, req, res, run.redactor, 300));
      } else notes.push(`${method} ${res.status}`);
    } catch (err) {
      notes.push(`${method}: ${errorMessage(err)}`);
    }
  }
  const meta = { def: 'methods.trace', slug: `methods.${siteName}.trace`, url: baseUrl, startedAt, evidence, attempts: 2 };
  if (echoes.length) return makeCheck({ ...meta, status: 'failed', message: `${echoes.join('; ')} at ${baseUrl}` });
  const gate = await siteGate(run, baseUrl);
  if (gate.refusal) return makeCheck({ ...meta, status: 'skipped', message: `TRACE/TRACK answered ${notes.join(', ')}, which says nothing: ${gate.refusal}` });
  if (!answered) return makeCheck({ ...meta, status: 'errored', message: `no answer to TRACE/TRACK at ${baseUrl}: ${notes.join('; ')}` });
  return makeCheck({ ...meta, status: 'passed', message: `TRACE and TRACK not echoed at ${baseUrl} (${notes.join(', ')})` });
}
