import type { Redactor } from '../../../core/redact.ts';
import type { Evidence, Severity } from '../../../core/types.ts';
import { httpEvidence, type HttpClient, type ProbeRequest, type ProbeResponse } from '../../../http/probe-client.ts';

// Every answer the stage receives is looked at for what no answer of a
// deployed application should carry: a framework's debug page or a raw stack
// trace (checks/debug-pages.ts), and headers naming the software's version or
// a debug channel (checks/disclosure.ts; ZAP passive rules 10036, 10037,
// 10061, 10039, 10052, 10056). Pure matching plus a small recorder.

const LEAKS: Array<{ header: string; why: string; test?: (v: string) => boolean }> = [
  // A product name alone ("nginx") says little; a version does.
  { header: 'server', why: 'server version', test: (v) => /\/\s*\d|\b\d+\.\d+/.test(v) },
  { header: 'x-powered-by', why: 'framework' },
  { header: 'x-aspnet-version', why: 'ASP.NET version' },
  { header: 'x-aspnetmvc-version', why: 'ASP.NET MVC version' },
  { header: 'x-backend-server', why: 'backend host' },
  { header: 'x-chromelogger-data', why: 'server-side debug log' },
  { header: 'x-chromephp-data', why: 'server-side debug log' },
  { header: 'x-debug-token', why: 'Symfony profiler token' },
  { header: 'x-debug-token-link', why: 'Symfony profiler link' },
];

/** The leaking headers of one answer, as `name: value (why)`. */
export function leakedHeaders(res: ProbeResponse): string[] {
  const out: string[] = [];
  for (const l of LEAKS) {
    const v = res.headers[l.header]?.[0];
    if (v !== undefined && (!l.test || l.test(v))) out.push(`${l.header}: ${v.slice(0, 80)} (${l.why})`);
  }
  return out;
}

export interface DebugSignature {
  what: string;
  severity: Severity;
  re: RegExp;
}

// Each pattern is linear: literal words, bounded gaps, no nested repetition.
const SIGNATURES: DebugSignature[] = [
  { what: "Django's debug page (DEBUG = True)", severity: 'critical', re: /You(?:&#x27;|&#39;|')re seeing this error because you have <code>DEBUG = True<\/code>|Django tried these URL patterns/ },
  { what: 'the Rails debug page', severity: 'critical', re: /<title>Action Controller: Exception caught<\/title>|<h2[^>]{0,80}>Rails\.root: / },
  // Ignition prints the exception as an HTML comment right after <html class="theme-…">, before its 100 kB script.
  { what: "Laravel's Whoops/Ignition page", severity: 'critical', re: /<title>Whoops! There was an error\.<\/title>|class="Whoops container"|Illuminate\\Foundation\\|window\.ignite\(|<html class="theme-[a-z]{1,10}">\s{0,10}<!--\s{0,10}[\w\\]{1,200}(?:Exception|Error)\b/ },
  // The YSOD with details; the generic "Runtime Error" page (custom errors on) has the same heading and no details.
  { what: "the ASP.NET error page with a stack trace (YSOD)", severity: 'critical', re: /Server Error in (?:&#39;|')[^&']{0,200}(?:&#39;|') Application[\s\S]{0,6000}(?:Exception Details: ?<\/b>|<b>Stack Trace:<\/b>)|<title>Developer Exception Page|An unhandled exception occurred while processing the request\./ },
  { what: "Spring Boot's Whitelabel error page with a stack trace", severity: 'critical', re: /Whitelabel Error Page[\s\S]{0,4000}\bat org\.springframework\./ },
  { what: "Werkzeug's debugger (Flask debug mode)", severity: 'critical', re: /<title>[^<]{0,200}Werkzeug Debugger<\/title>|The debugger caught an exception in your WSGI application/ },
  { what: 'a Python traceback', severity: 'critical', re: /Traceback \(most recent call last\):\s{0,20}(?:<br\s*\/?>)?\s{0,20}File &quot;|Traceback \(most recent call last\):\s{0,20}File "/ },
  { what: 'a Java stack trace', severity: 'critical', re: /\bat (?:java|javax|jakarta|org|com|io|net)\.[\w$.]{1,200}\([\w$]{1,100}\.java:\d{1,6}\)/ },
  { what: 'a Node.js stack trace', severity: 'critical', re: /\bat [\w$.<>[\] ]{1,200} \((?:\/|node:|file:\/\/|[A-Z]:\\)[^()\s]{1,300}:\d{1,6}:\d{1,6}\)/ },
  { what: 'a PHP error with file and line', severity: 'critical', re: /<b>(?:Fatal error|Warning|Parse error|Notice)<\/b>:[^\n]{0,400} in <b>\/[^<]{1,300}<\/b> on line <b>\d{1,6}<\/b>|Stack trace:\s{0,10}#0 \/[^\s]{1,300}\(\d{1,6}\)/ },
  { what: 'a Ruby backtrace', severity: 'critical', re: /\/gems\/[^\s:]{1,300}\.rb:\d{1,6}:in [`']/ },
  { what: 'a .NET stack trace', severity: 'critical', re: /\bat [\w.`<>]{1,200}\([^)]{0,300}\) in [^\n]{1,300}:line \d{1,6}/ },
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
  /** Version and debug headers seen (checks/disclosure.ts), by origin. */
  readonly leaks: Array<{ origin: string; leak: string }> = [];
  /** Answers seen per origin. */
  readonly answers = new Map<string, number>();
  wrap(client: HttpClient): HttpClient {
    return async (req) => {
      const res = await client(req);
      const origin = new URL(req.url).origin;
      this.answers.set(origin, (this.answers.get(origin) ?? 0) + 1);
      if (this.leaks.length < 20) for (const leak of leakedHeaders(res)) if (!this.leaks.some((l) => l.origin === origin && l.leak === leak)) this.leaks.push({ origin, leak });
      const sig = debugSignature(res.body);
      if (sig && this.seen.length < 5 && !this.seen.some((s) => s.sig.what === sig.what && s.res.url === res.url)) this.seen.push({ req, res, sig });
      return res;
    };
  }
  evidence(redactor: Redactor): Evidence[] {
    return this.seen.map((s) => httpEvidence(`${s.req.method ?? 'GET'} ${new URL(s.req.url).pathname}: ${s.sig.what}`, s.req, s.res, redactor, 800));
  }
}

