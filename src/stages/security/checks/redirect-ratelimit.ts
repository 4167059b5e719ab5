import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult, Evidence } from '../../../core/types.ts';
import { firstHeader, httpEvidence, type ProbeRequest, type ProbeResponse } from '../http.ts';
import { makeCheck } from '../result.ts';
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
  const host = EVIL_HOST.replace(/\./g, '\\.');
  const m = new RegExp(`(?:href|action|content|value)\\s*=\\s*["']?[^"'>]*${host}|location(?:\\.href)?\\s*=\\s*["'][^"']*${host}`, 'i').exec(res.body);
  return m ? `page carries the foreign URL (${m[0].slice(0, 120)})` : undefined;
}

export async function openRedirectCheck(run: SecurityRun): Promise<CheckResult> {
  const startedAt = Date.now();
  const cfg = run.config.openRedirect;
  const pageUrl = joinUrl(run.webUrl, cfg.path);
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
    u.searchParams.set(cfg.param, payload);
    await probe({ url: u.toString() }, `GET ${cfg.path}?${cfg.param}=${payload}`);
  }
  const form = cfg.form;
  if (form) {
    const cred = run.credentials.get(form.role);
    if (!cred) errors.push(`no credentials for role ${form.role}: login form not probed`);
    else {
      for (const payload of PAYLOADS) {
        const body = new URLSearchParams({ [form.usernameField]: cred.username, [form.passwordField]: cred.password, [cfg.param]: payload }).toString();
        await probe({ method: 'POST', url: joinUrl(run.webUrl, form.path), headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, `POST ${form.path} (login as ${form.role}) ${cfg.param}=${payload}`);
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
        : `${cfg.param} pointing off-site is not followed at ${pageUrl} (${answered} probes${errors.length ? `; ${errors.join('; ')}` : ''})`,
    url: pageUrl,
    startedAt,
    evidence,
    attempts: answered,
  });
}

/** Failed logins for a probe account until a 429 (bounded by `attempts`). */
export async function rateLimitCheck(run: SecurityRun): Promise<CheckResult> {
  const startedAt = Date.now();
  const cfg = run.config.rateLimit;
  const a = run.config.access;
  const url = joinUrl(run.apiUrl, a.loginPath);
  const statuses: number[] = [];
  let last: { req: ProbeRequest; res: ProbeResponse } | undefined;
  let error: string | undefined;
  for (let i = 0; i < cfg.attempts; i++) {
    const req: ProbeRequest = {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ [a.usernameField]: cfg.username, [a.passwordField]: `wrong-${randomBytes(6).toString('hex')}` }),
    };
    try {
      const res = await run.client(req);
      statuses.push(res.status);
      last = { req, res };
      if (res.status === 429) break;
    } catch (err) {
      error = errorMessage(err);
      break;
    }
  }
  const limited = statuses.includes(429);
  const status = limited ? 'passed' : statuses.length === 0 ? 'errored' : 'failed';
  const retryAfter = last ? firstHeader(last.res, 'retry-after') : undefined;
  return makeCheck({
    def: 'rate-limit.login',
    slug: 'rate-limit.login',
    severity: cfg.severity,
    ...(cfg.onFail ? { onFail: cfg.onFail } : {}),
    status,
    message: limited
      ? `429 after ${statuses.length - 1} failed logins${retryAfter ? ` (Retry-After: ${retryAfter})` : ''} at ${url}`
      : statuses.length === 0
        ? `could not send failed logins to ${url}: ${error ?? 'unknown error'}`
        : `no 429 after ${statuses.length} failed logins at ${url} (answers: ${[...new Set(statuses)].join(', ')})${error ? `; stopped: ${error}` : ''}`,
    url,
    observed: statuses.length,
    limit: cfg.attempts,
    unit: 'attempts',
    startedAt,
    attempts: statuses.length,
    evidence: last ? [httpEvidence('last failed login', last.req, last.res, run.redactor, 200)] : [],
  });
}
