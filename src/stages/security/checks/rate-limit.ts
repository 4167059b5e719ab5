import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult } from '../../../core/types.ts';
import { firstHeader, httpEvidence, type ProbeRequest, type ProbeResponse } from '../../../http/probe-client.ts';
import type { LimitedRule } from '../config.ts';
import { makeCheck } from '../result.ts';
import { joinUrl, type SecurityRun } from '../run-context.ts';
import { bodySimilarity, SIMILAR } from './exposed-match.ts';
import { prepareFormPost } from './forms.ts';
import { siteGate } from './gate.ts';
import { anonymousRefusal, csrfRefusal } from './refusal.ts';

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

function credentialsOf(run: SecurityRun): Record<string, string> {
  const cfg = run.config.rateLimit;
  return { ...cfg.fields, [cfg.usernameField]: cfg.username, [cfg.passwordField]: `wrong-${randomBytes(6).toString('hex')}` };
}

/**
 * One failed login. A JSON login is posted as configured; a form login is sent
 * as a browser sends it: GET the page, keep its hidden fields (CSRF token) and
 * cookies, post the form. Without a login form on the page the fields are
 * posted alone (an endpoint that takes form posts but serves no page).
 */
async function attemptRequest(run: SecurityRun, url: string): Promise<{ req: ProbeRequest; formFound: boolean }> {
  const cfg = run.config.rateLimit;
  const fields = credentialsOf(run);
  if (cfg.body === 'form') {
    const prepared = await prepareFormPost(run.client, url, fields);
    if (prepared.request) return { req: { ...prepared.request, method: cfg.method, headers: { ...cfg.headers, ...prepared.request.headers } }, formFound: true };
    return { req: { method: cfg.method, url, headers: { ...cfg.headers, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() }, formFound: false };
  }
  return { req: { method: cfg.method, url, headers: { ...cfg.headers, 'content-type': 'application/json' }, body: JSON.stringify(fields) }, formFound: false };
}

interface Attempts {
  statuses: number[];
  /** Answers the application processed (not refused for CSRF or by a gate in front of the site). */
  processed: number;
  refusals: string[];
  last?: { req: ProbeRequest; res: ProbeResponse };
  limited?: string;
  error?: string;
  /** A login form was found on the page (the endpoint is reachable past any gate). */
  sawForm: boolean;
}

async function sendAttempts(run: SecurityRun, url: string): Promise<Attempts> {
  const cfg = run.config.rateLimit;
  const a: Attempts = { statuses: [], processed: 0, refusals: [], sawForm: false };
  for (let i = 0; i < cfg.attempts && !a.limited; i++) {
    try {
      const { req, formFound } = await attemptRequest(run, url);
      a.sawForm ||= formFound;
      const res = await run.client(req);
      a.statuses.push(res.status);
      a.last = { req, res };
      a.limited = limitedBy(res, cfg.limited);
      if (a.limited) break;
      const csrf = csrfRefusal(res);
      if (csrf) a.refusals.push(csrf);
      else a.processed += 1;
      // Nothing more to learn from an endpoint that is not there, or that refuses the probe outright.
      if (NOT_FOUND.has(res.status) || csrf) break;
    } catch (err) {
      a.error = errorMessage(err);
      break;
    }
  }
  return a;
}

/** The gate in front of the whole site answered the failed logins, not the login itself. */
async function gateAnswered(run: SecurityRun, url: string, a: Attempts): Promise<string | undefined> {
  if (a.sawForm || !a.last) return undefined;
  const gate = await siteGate(run, url);
  if (!gate.refusal || !anonymousRefusal(a.last.res, url, run.loginPaths)) return undefined;
  // The login's answer is the gate's when it is the page any path gets; a login of its own says something else.
  const res = a.last.res;
  const same = gate.answers.some((g) => g.status === res.status && bodySimilarity(g.body, res.body, new URL(g.url).pathname, new URL(url).pathname) >= SIMILAR);
  return same ? gate.refusal : undefined;
}

/**
 * Failed logins for a probe account until the app answers "limited" (bounded by
 * `attempts`). Only answers that reject the login are evidence of no limit: an
 * endpoint that is not there, that fails with a server error, or that refuses
 * the probe before looking at it (CSRF, a gate in front of the site) is errored.
 */
export async function rateLimitCheck(run: SecurityRun): Promise<CheckResult> {
  const startedAt = Date.now();
  const cfg = run.config.rateLimit;
  const base = { def: 'rate-limit.login', slug: 'rate-limit.login', severity: cfg.severity, ...(cfg.onFail ? { onFail: cfg.onFail } : {}), startedAt };
  if (!cfg.path) return makeCheck({ ...base, status: 'errored', message: 'rateLimit.path is not set' });
  const url = joinUrl(run.apiUrl, cfg.path);
  const a = await sendAttempts(run, url);
  const { statuses, last } = a;
  const seen = [...new Set(statuses)].join(', ');
  const notFound = statuses.find((s) => NOT_FOUND.has(s));
  const serverError = statuses.find((s) => s >= 500);
  const common = { ...base, url, observed: statuses.length, limit: cfg.attempts, unit: 'attempts', attempts: statuses.length, evidence: last ? [httpEvidence(a.limited ? 'limited answer' : 'last failed login', last.req, last.res, run.redactor, 200)] : [] };
  if (a.limited) return makeCheck({ ...common, status: 'passed', message: `limited after ${statuses.length - 1} failed logins at ${url} (${a.limited})` });
  if (statuses.length === 0) return makeCheck({ ...common, status: 'errored', message: `could not send failed logins to ${url}: ${a.error ?? 'unknown error'}` });
  if (a.refusals.length) {
    return makeCheck({ ...common, status: 'errored', message: `${cfg.method} ${url} did not process the failed logins: ${a.refusals[0]}${cfg.body === 'json' ? ' — if the login is an HTML form, set stages.security.rateLimit.body to "form" (pdv then submits the page\'s form with its hidden fields and cookies)' : ''}` });
  }
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
  const gate = await gateAnswered(run, url, a);
  if (gate) return makeCheck({ ...common, status: 'skipped', message: `the failed logins at ${url} (answers: ${seen}) were not processed by the login: ${gate}` });
  const expected = cfg.limited.map(describeRule).join(' or ');
  return makeCheck({
    ...common,
    status: a.error ? 'errored' : 'failed',
    message: `no limited answer (${expected}) after ${statuses.length} failed logins at ${url} (answers: ${seen})${a.error ? `; stopped: ${a.error}` : ''}`,
  });
}

function describeRule(r: LimitedRule): string {
  return [r.status ? r.status.join('|') : '', r.body ? `/${r.body}/i` : '', r.retryAfter ? 'Retry-After' : ''].filter(Boolean).join(' + ');
}
