import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult, Evidence, Severity } from '../../../core/types.ts';
import { httpEvidence, type HttpClient, type ProbeRequest, type ProbeResponse } from '../../../http/probe-client.ts';
import type { Redactor } from '../../../core/redact.ts';
import { makeCheck } from '../result.ts';
import { joinUrl, type SecurityRun } from '../run-context.ts';
import { siteGate } from './gate.ts';

// Debug pages and stack traces: the technical error pages frameworks show in
// development (settings, URL patterns, source lines, stack frames) and raw
// stack traces, in the answers to a path that cannot exist and to malformed
// requests — and in every other answer the stage receives.

interface DebugSignature {
  what: string;
  severity: Severity;
  re: RegExp;
}

// Each pattern is linear: literal words, bounded gaps, no nested repetition.
const SIGNATURES: DebugSignature[] = [
  { what: "Django's debug page (DEBUG = True)", severity: 'critical', re: /You(?:&#x27;|&#39;|')re seeing this error because you have <code>DEBUG = True<\/code>|Django tried these URL patterns/ },
  { what: 'the Rails debug page', severity: 'critical', re: /<title>Action Controller: Exception caught<\/title>|<h2[^>]{0,80}>Rails\.root: / },
  { what: "Laravel's Whoops/Ignition page", severity: 'critical', re: /<title>Whoops! There was an error\.<\/title>|class="Whoops container"|Illuminate\\Foundation\\|window\.ignite\(/ },
  { what: "the ASP.NET error page with a stack trace (YSOD)", severity: 'critical', re: /Server Error in &#39;[^&]{0,200}&#39; Application|Server Error in '[^']{0,200}' Application|<title>Developer Exception Page|An unhandled exception occurred while processing the request\./ },
  { what: "Spring Boot's Whitelabel error page with a stack trace", severity: 'critical', re: /Whitelabel Error Page[\s\S]{0,4000}\bat org\.springframework\./ },
  { what: "Werkzeug's debugger (Flask debug mode)", severity: 'critical', re: /<title>[^<]{0,200}Werkzeug Debugger<\/title>|The debugger caught an exception in your WSGI application/ },
  { what: 'a Python traceback', severity: 'critical', re: /Traceback \(most recent call last\):\s{0,20}(?:<br\s*\/?>)?\s{0,20}File &quot;|Traceback \(most recent call last\):\s{0,20}File "/ },
  { what: 'a Java stack trace', severity: 'critical', re: /\bat (?:java|javax|jakarta|org|com|io|net)\.[\w$.]{1,200}\([\w$]{1,100}\.java:\d{1,6}\)/ },
  { what: 'a Node.js stack trace', severity: 'critical', re: /\bat [\w$.<>[\] ]{1,200} \((?:\/|node:|file:\/\/|[A-Z]:\\)[^()\s]{1,300}:\d{1,6}:\d{1,6}\)/ },
  { what: 'a PHP error with file and line', severity: 'critical', re: /<b>(?:Fatal error|Warning|Parse error|Notice)<\/b>:[^\n]{0,400} in <b>\/[^<]{1,300}<\/b> on line <b>\d{1,6}<\/b>|Stack trace:\s{0,10}#0 \/[^\s]{1,300}\(\d{1,6}\)/ },
  { what: 'a Ruby backtrace', severity: 'critical', re: /\/gems\/[^\s:]{1,300}\.rb:\d{1,6}:in [`']/ },
  { what: 'a .NET stack trace', severity: 'critical', re: /\bat [\w.`<>]{1,200}\([^)]{0,300}\) in [^\n]{1,300}:line \d{1,6}/ },
  { what: "Spring Boot's Whitelabel error page (framework and error details)", severity: 'minor', re: /<h1>Whitelabel Error Page<\/h1>/ },
];

/** Markup that hides stack frames from a plain-text pattern (Express renders `<br> &nbsp; &nbsp;at …`). */
function plain(body: string): string {
  return body.replace(/<br\s*\/?>/gi, '\n').replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** What debug page or stack trace the body shows, or undefined. */
export function debugSignature(body: string): DebugSignature | undefined {
  const head = body.slice(0, 128 * 1024);
  const text = plain(head);
  return SIGNATURES.find((s) => s.re.test(head) || s.re.test(text));
}

interface Seen {
  req: ProbeRequest;
  res: ProbeResponse;
  sig: DebugSignature;
}

/** Watches every answer the stage receives for debug pages and stack traces (the first few kept as evidence). */
export class DebugWatch {
  readonly seen: Seen[] = [];
  wrap(client: HttpClient): HttpClient {
    return async (req) => {
      const res = await client(req);
      const sig = debugSignature(res.body);
      if (sig && this.seen.length < 5 && !this.seen.some((s) => s.sig.what === sig.what && s.res.url === res.url)) this.seen.push({ req, res, sig });
      return res;
    };
  }
  evidence(redactor: Redactor): Evidence[] {
    return this.seen.map((s) => httpEvidence(`${s.req.method ?? 'GET'} ${new URL(s.req.url).pathname}: ${s.sig.what}`, s.req, s.res, redactor, 800));
  }
}

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
