import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult, Evidence } from '../../../core/types.ts';
import { firstHeader, httpEvidence, type ProbeRequest, type ProbeResponse } from '../../../http/probe-client.ts';
import type { LimitedRule } from '../config.ts';
import { makeCheck } from '../result.ts';
import { foreignUrlIn } from './foreign-url.ts';
import { joinUrl, type SecurityRun } from '../run-context.ts';

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

export async function openRedirectCheck(run: SecurityRun): Promise<CheckResult> {
  const startedAt = Date.now();
  const cfg = run.config.openRedirect;
  if (!cfg.path || !cfg.param) return makeCheck({ def: 'redirect.login-return-to', slug: 'redirect.login-return-to', severity: cfg.severity, status: 'errored', message: 'openRedirect.path and openRedirect.param are not set', startedAt });
  const { path, param } = cfg;
  const pageUrl = joinUrl(run.webUrl, path);
  const findings: string[] = [];
  const evidence: Evidence[] = [];
  const errors: string[] = [];
  let answered = 0;
  const probe = async (req: ProbeRequest, label: string): Promise<void> => {
    try {
      const res = await run.client(req);
      answered += 1;
      const hit = redirectsOffSite(res, req.url);
      if (hit) {
        findings.push(`${label}: ${hit}`);
        evidence.push(httpEvidence(label, req, res, run.redactor));
      }
    } catch (err) {
      errors.push(`${label}: ${errorMessage(err)}`);
    }
  };
  for (const payload of PAYLOADS) {
    const u = new URL(pageUrl);
    u.searchParams.set(param, payload);
    await probe({ url: u.toString() }, `GET ${path}?${param}=${payload}`);
  }
  const form = cfg.form;
  if (form) {
    const cred = run.credentials.get(form.role);
    if (!cred) errors.push(`no credentials for role ${form.role}: login form not probed`);
    else {
      for (const payload of PAYLOADS) {
        const formPath = form.path ?? path;
        const body = new URLSearchParams({ [form.usernameField]: cred.username, [form.passwordField]: cred.password, [param]: payload }).toString();
        await probe({ method: 'POST', url: joinUrl(run.webUrl, formPath), headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, `POST ${formPath} (login as ${form.role}) ${param}=${payload}`);
      }
    }
  }
  const status = findings.length ? 'failed' : answered === 0 ? 'errored' : 'passed';
  return makeCheck({
    def: 'redirect.login-return-to',
    slug: 'redirect.login-return-to',
    severity: cfg.severity,
    status,
    message: findings.length
      ? `open redirect at ${pageUrl}: ${findings.join('; ')}`
      : answered === 0
        ? `could not probe ${pageUrl}: ${errors.join('; ')}`
        : `${param} pointing off-site is not followed at ${pageUrl} (${answered} probes${errors.length ? `; ${errors.join('; ')}` : ''})`,
    url: pageUrl,
    startedAt,
    evidence,
    attempts: answered,
  });
}

/** The rule of `rateLimit.limited` an answer meets, described, or undefined when it is an ordinary answer. */
export function limitedBy(res: ProbeResponse, rules: LimitedRule[]): string | undefined {
  for (const rule of rules) {
    if (rule.status && !rule.status.includes(res.status)) continue;
    if (rule.body && !new RegExp(rule.body, 'i').test(res.body)) continue;
    const retryAfter = firstHeader(res, 'retry-after');
    if (rule.retryAfter && retryAfter === undefined) continue;
    return [`${res.status}`, rule.body ? `body matching /${rule.body}/i` : '', retryAfter !== undefined ? `Retry-After: ${retryAfter}` : ''].filter(Boolean).join(', ');
  }
  return undefined;
}

/** 404/405/501: the endpoint is not there (or takes no such request) — no evidence about rate limiting. */
const NOT_FOUND = new Set([404, 405, 501]);

function attemptRequest(run: SecurityRun, url: string): ProbeRequest {
  const cfg = run.config.rateLimit;
  const fields = { ...cfg.fields, [cfg.usernameField]: cfg.username, [cfg.passwordField]: `wrong-${randomBytes(6).toString('hex')}` };
  const form = cfg.body === 'form';
  return {
    method: cfg.method,
    url,
    headers: { ...cfg.headers, 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: form ? new URLSearchParams(fields).toString() : JSON.stringify(fields),
  };
}

/**
 * Failed logins for a probe account until the app answers "limited" (bounded by
 * `attempts`). Only answers that reject the login are evidence of no limit: an
 * endpoint that is not there, or that fails with a server error, is errored.
 */
export async function rateLimitCheck(run: SecurityRun): Promise<CheckResult> {
  const startedAt = Date.now();
  const cfg = run.config.rateLimit;
  const base = { def: 'rate-limit.login', slug: 'rate-limit.login', severity: cfg.severity, ...(cfg.onFail ? { onFail: cfg.onFail } : {}), startedAt };
  if (!cfg.path) return makeCheck({ ...base, status: 'errored', message: 'rateLimit.path is not set' });
  const url = joinUrl(run.apiUrl, cfg.path);
  const statuses: number[] = [];
  let last: { req: ProbeRequest; res: ProbeResponse } | undefined;
  let limited: string | undefined;
  let error: string | undefined;
  for (let i = 0; i < cfg.attempts && !limited; i++) {
    const req = attemptRequest(run, url);
    try {
      const res = await run.client(req);
      statuses.push(res.status);
      last = { req, res };
      limited = limitedBy(res, cfg.limited);
      // Nothing more to learn from an endpoint that is not there.
      if (NOT_FOUND.has(res.status) && !limited) break;
    } catch (err) {
      error = errorMessage(err);
      break;
    }
  }
  const seen = [...new Set(statuses)].join(', ');
  const notFound = statuses.find((s) => NOT_FOUND.has(s));
  const serverError = statuses.find((s) => s >= 500);
  const common = { ...base, url, observed: statuses.length, limit: cfg.attempts, unit: 'attempts', attempts: statuses.length, evidence: last ? [httpEvidence(limited ? 'limited answer' : 'last failed login', last.req, last.res, run.redactor, 200)] : [] };
  if (limited) return makeCheck({ ...common, status: 'passed', message: `limited after ${statuses.length - 1} failed logins at ${url} (${limited})` });
  if (statuses.length === 0) return makeCheck({ ...common, status: 'errored', message: `could not send failed logins to ${url}: ${error ?? 'unknown error'}` });
  if (notFound !== undefined) {
    return makeCheck({ ...common, status: 'errored', message: `endpoint not found: ${cfg.method} ${url} answered ${notFound} — check stages.security.rateLimit.path and method` });
  }
  if (serverError !== undefined) {
    return makeCheck({
      ...common,
      status: 'errored',
      message: `${cfg.method} ${url} answered ${seen} to failed logins: a server error is not a rejected login (if the app limits this way, describe it in stages.security.rateLimit.limited)`,
    });
  }
  const expected = cfg.limited.map(describeRule).join(' or ');
  return makeCheck({
    ...common,
    status: error ? 'errored' : 'failed',
    message: `no limited answer (${expected}) after ${statuses.length} failed logins at ${url} (answers: ${seen})${error ? `; stopped: ${error}` : ''}`,
  });
}

function describeRule(r: LimitedRule): string {
  return [r.status ? r.status.join('|') : '', r.body ? `/${r.body}/i` : '', r.retryAfter ? 'Retry-After' : ''].filter(Boolean).join(' + ');
}
