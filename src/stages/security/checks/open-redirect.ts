import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult, Evidence } from '../../../core/types.ts';
import { firstHeader, httpEvidence, type ProbeRequest, type ProbeResponse } from '../../../http/probe-client.ts';
import { makeCheck } from '../result.ts';
import { foreignUrlIn } from './foreign-url.ts';
import { joinUrl, type SecurityRun } from '../run-context.ts';
import { prepareFormPost } from './forms.ts';
import { siteGate } from './gate.ts';
import { anonymousRefusal, hasPasswordForm, notProcessed } from './refusal.ts';

const EVIL_HOST = 'pdv-open-redirect.example';
const PAYLOADS = [`https://${EVIL_HOST}/`, `//${EVIL_HOST}/`];

/** Where the answer sends the browser, if it sends it to the foreign host. */
export function redirectsOffSite(res: ProbeResponse, requestUrl: string): string | undefined {
  const loc = firstHeader(res, 'location');
  if (res.status >= 300 && res.status < 400 && loc) {
    try {
      if (new URL(loc, requestUrl).hostname === EVIL_HOST) return `${res.status} Location: ${loc}`;
    } catch {
      // an unparsable Location goes nowhere
    }
  }
  const refresh = firstHeader(res, 'refresh');
  if (refresh?.includes(EVIL_HOST)) return `Refresh: ${refresh}`;
  // A page that puts the foreign URL into a link, refresh or return field will send the user there.
  // The attribute must *be* a URL to the foreign host: a same-site form action that merely
  // carries the parameter on (`action="/login/?next=https://…"`, as Django's admin does) sends
  // the user back to this site, which checks `next` when the form is posted.
  const found = foreignUrlIn(res.body, EVIL_HOST);
  return found ? `page carries the foreign URL (${found})` : undefined;
}

function safePath(loc: string, base: string): string | undefined {
  try {
    return new URL(loc, base).pathname;
  } catch {
    return undefined;
  }
}

/** Why a login-form post was not a sign-in the app went through, or undefined when it signed in. */
function notSignedIn(res: ProbeResponse, url: string, loginPaths: string[]): string | undefined {
  const why = notProcessed(res, url, { loginPaths });
  if (why) return why;
  if (res.status >= 400) return `the login answered HTTP ${res.status}`;
  if (res.status < 300 && hasPasswordForm(res.body)) return 'the login form was answered again (sign-in refused)';
  return undefined;
}

interface Tally {
  findings: string[];
  evidence: Evidence[];
  /** Probes the application processed (the only ones that count). */
  tested: number;
  untested: string[];
}

async function getProbes(run: SecurityRun, pageUrl: string, t: Tally): Promise<void> {
  const { path, param } = run.config.openRedirect as { path: string; param: string };
  for (const payload of PAYLOADS) {
    const u = new URL(pageUrl);
    u.searchParams.set(param, payload);
    const label = `GET ${path}?${param}=${payload}`;
    try {
      const res = await run.client({ url: u.toString() });
      const hit = redirectsOffSite(res, u.toString());
      if (hit) {
        t.findings.push(`${label}: ${hit}`);
        t.evidence.push(httpEvidence(label, { url: u.toString() }, res, run.redactor));
        continue;
      }
      // The page sending the browser back to itself (its own login page, the parameter dropped) did process it.
      const to = firstHeader(res, 'location');
      const self = to !== undefined && safePath(to, u.toString()) === u.pathname;
      const refused = self ? undefined : anonymousRefusal(res, u.toString(), run.loginPaths);
      if (refused) t.untested.push(`${label}: ${refused}`);
      else t.tested += 1;
    } catch (err) {
      t.untested.push(`${label}: ${errorMessage(err)}`);
    }
  }
}

async function formProbes(run: SecurityRun, t: Tally): Promise<void> {
  const { path, param, form } = run.config.openRedirect as { path: string; param: string; form: NonNullable<SecurityRun['config']['openRedirect']['form']> };
  const cred = run.credentials.get(form.role);
  if (!cred) {
    t.untested.push(`no credentials for role ${form.role}: login form not probed`);
    return;
  }
  const formPath = form.path ?? path;
  for (const payload of PAYLOADS) {
    const label = `POST ${formPath} (login as ${form.role}) ${param}=${payload}`;
    const page = new URL(joinUrl(run.webUrl, formPath));
    page.searchParams.set(param, payload);
    try {
      const prepared = await prepareFormPost(run.client, page.toString(), { [form.usernameField]: cred.username, [form.passwordField]: cred.password, [param]: payload });
      if (!prepared.request) {
        const refused = anonymousRefusal(prepared.page, page.toString(), run.loginPaths);
        t.untested.push(`${label}: ${refused ? `the login page ${refused}` : `no login form (a form with a password field) on ${formPath} (HTTP ${prepared.page.status})`}`);
        continue;
      }
      const req: ProbeRequest = prepared.request;
      const res = await run.client(req);
      const hit = redirectsOffSite(res, req.url);
      if (hit) {
        t.findings.push(`${label}: ${hit}`);
        t.evidence.push(httpEvidence(label, req, res, run.redactor));
        continue;
      }
      const why = notSignedIn(res, req.url, run.loginPaths);
      if (why) {
        t.untested.push(`${label}: ${why}`);
        t.evidence.push(httpEvidence(`${label} (not processed)`, req, res, run.redactor, 300));
      } else t.tested += 1;
    } catch (err) {
      t.untested.push(`${label}: ${errorMessage(err)}`);
    }
  }
}

/**
 * The return-URL parameter pointing off-site must not send the browser there:
 * on the page (GET) and, with `form`, after a real sign-in through the page's
 * login form. Only probes the application processed count: a refused page, a
 * CSRF rejection or a sign-in that did not happen leave the check errored.
 */
export async function openRedirectCheck(run: SecurityRun): Promise<CheckResult> {
  const startedAt = Date.now();
  const cfg = run.config.openRedirect;
  const meta = { def: 'redirect.login-return-to', slug: 'redirect.login-return-to', severity: cfg.severity, startedAt };
  if (!cfg.path || !cfg.param) return makeCheck({ ...meta, status: 'errored', message: 'openRedirect.path and openRedirect.param are not set' });
  const pageUrl = joinUrl(run.webUrl, cfg.path);
  const t: Tally = { findings: [], evidence: [], tested: 0, untested: [] };
  await getProbes(run, pageUrl, t);
  if (cfg.form) await formProbes(run, t);
  const sent = PAYLOADS.length * (cfg.form ? 2 : 1);
  const common = { ...meta, url: pageUrl, evidence: t.evidence, attempts: sent };
  if (t.findings.length) return makeCheck({ ...common, status: 'failed', message: `open redirect at ${pageUrl}: ${t.findings.join('; ')}` });
  if (t.untested.length) {
    // A probe that was not processed is no evidence; a gate in front of the whole site makes that plain.
    const gate = await siteGate(run, run.webUrl);
    const status = t.tested === 0 && gate.refusal ? 'skipped' : 'errored';
    return makeCheck({
      ...common,
      status,
      message: `${t.untested.length} of ${sent} probes at ${pageUrl} were not processed by the application, so the check cannot pass: ${t.untested.join('; ')}${gate.refusal ? ` (${gate.refusal})` : ''}`,
    });
  }
  return makeCheck({ ...common, status: 'passed', message: `${cfg.param} pointing off-site is not followed at ${pageUrl} (${t.tested} probes processed${cfg.form ? ', sign-in included' : ''})` });
}
