import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult } from '../../../core/types.ts';
import type { AccessRule } from '../config.ts';
import { describeStatus, evaluate, type ResponseExpect } from '../../../http/expect.ts';
import { httpEvidence, type ProbeRequest, type ProbeResponse } from '../../../http/probe-client.ts';
import { makeCheck } from '../result.ts';
import { joinUrl, type SecurityRun } from '../run-context.ts';
import { siteGate } from './gate.ts';
import type { Logins, Session } from './login.ts';
import { anonymousRefusal, csrfRefusal, notProcessed } from './refusal.ts';
import { parseSetCookie } from '../../../observatory/header-rules.ts';

export function ruleSlug(rule: AccessRule): string {
  if (rule.name) return rule.name;
  const path = rule.path.replace(/\{id:([^}]+)\}/g, '$1').replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
  return `${rule.role}-${rule.method.toLowerCase()}-${path}`.slice(0, 80);
}

/** The rule's expectations in the smoke checks' terms (a bare status list is `{ status }`). */
export function ruleExpect(rule: AccessRule): ResponseExpect {
  return typeof rule.expect === 'number' || Array.isArray(rule.expect) ? { status: rule.expect } : rule.expect;
}

/** "403", "200 + errors.0.message", … for titles. */
function describeExpect(e: ResponseExpect): string {
  const parts = [describeStatus(e.status, '2xx').replace(/ or /g, '|'), ...Object.keys(e.json ?? {}), ...Object.keys(e.headers ?? {}).map((h) => `header ${h}`)];
  if (e.bodyContains) parts.push('body contains');
  if (e.bodyExcludes) parts.push('body excludes');
  return parts.join(' + ');
}

export interface Prepared {
  req: ProbeRequest;
  path: string;
  /** The role's session was verified by the application (auth.verify). */
  verified: boolean;
}

/** The rule's request as its role: `{id:ROLE}` filled in, the role's session attached. Throws when a login is missing. */
export async function prepare(run: SecurityRun, logins: Logins, rule: AccessRule): Promise<Prepared> {
  let path = rule.path;
  let verified = false;
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const m of rule.path.matchAll(/\{id:([^}]+)\}/g)) {
    const s = await logins.get(m[1] as string);
    if (s.error || !s.userId) throw new Error(s.error ?? `login as ${m[1]} gave no user id`);
    path = path.replace(m[0], encodeURIComponent(s.userId));
  }
  if (rule.role !== 'anonymous') {
    const s = await logins.get(rule.role);
    if (s.error) throw new Error(s.error);
    Object.assign(headers, s.headersFor(joinUrl(run.apiUrl, path)));
    verified = s.verified;
  }
  const req: ProbeRequest = { method: rule.method, url: joinUrl(run.apiUrl, path), headers };
  if (rule.body !== undefined) {
    req.body = typeof rule.body === 'string' ? rule.body : JSON.stringify(rule.body);
    headers['content-type'] = typeof rule.body === 'string' ? 'text/plain' : 'application/json';
  }
  return { req, path, verified };
}

/**
 * Why the answer is no access decision: sent as a role, a CSRF rejection, a
 * redirect to the login page or a 401 says the session was not used; sent
 * anonymously, a CSRF rejection is no decision either, and neither is the
 * refusal of a site that refuses every anonymous request.
 */
async function noDecision(run: SecurityRun, rule: AccessRule, req: ProbeRequest, res: ProbeResponse, verified: boolean): Promise<{ why: string; status: 'errored' | 'skipped' } | undefined> {
  if (rule.role !== 'anonymous') {
    // A session the application itself answered as this user (auth.verify) was accepted: its 401
    // is the app's permission answer (Node-RED answers a forbidden write so), not a lost session.
    const why = notProcessed(res, req.url, { signedIn: !verified, loginPaths: run.loginPaths });
    return why ? { why: `the request as ${rule.role} was not processed: ${why}`, status: 'errored' } : undefined;
  }
  const csrf = csrfRefusal(res);
  if (csrf) return { why: `${csrf}: not an access decision`, status: 'errored' };
  if (!anonymousRefusal(res, req.url, run.loginPaths)) return undefined;
  const gate = await siteGate(run, run.apiUrl);
  return gate.refusal ? { why: gate.refusal, status: 'skipped' } : undefined;
}

/** One check per row of the access table: call the endpoint as the role, judge the answer by the rule's expectations. */
export async function accessChecks(run: SecurityRun, logins: Logins): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const rule of run.config.access.rules) {
    const startedAt = Date.now();
    const expect = ruleExpect(rule);
    const base = { def: 'access.rule', slug: `access.${ruleSlug(rule)}`, severity: rule.severity, startedAt, title: `${rule.role} ${rule.method} ${rule.path} → ${describeExpect(expect)}` };
    let p: Prepared;
    try {
      p = await prepare(run, logins, rule);
    } catch (err) {
      out.push(makeCheck({ ...base, status: 'errored', message: `cannot run ${rule.method} ${rule.path} as ${rule.role}: ${errorMessage(err)}`, url: joinUrl(run.apiUrl, rule.path) }));
      continue;
    }
    const { req, path } = p;
    const what = `${rule.method} ${path} as ${rule.role}`;
    try {
      const res = await run.client(req);
      const evidence = [httpEvidence(what, req, res, run.redactor)];
      const refused = await noDecision(run, rule, req, res, p.verified);
      if (refused) {
        out.push(makeCheck({ ...base, status: refused.status, message: `${what} answered ${res.status}, which is no evidence: ${refused.why}`, url: req.url, observed: res.status, evidence }));
        continue;
      }
      const unmet = evaluate(expect, { status: res.status, headers: res.headers, body: res.body }, '2xx');
      out.push(
        makeCheck({
          ...base,
          status: unmet.length ? 'failed' : 'passed',
          message: unmet.length ? `${what} answered ${res.status}: ${unmet.join('; ')}` : `${what} answered ${res.status} as expected (${describeExpect(expect)})`,
          url: req.url,
          observed: res.status,
          limit: describeStatus(expect.status, '2xx').replace(/ or /g, '|'),
          evidence,
        }),
      );
    } catch (err) {
      out.push(makeCheck({ ...base, status: 'errored', message: `${what}: ${errorMessage(err)}`, url: req.url, evidence: [httpEvidence(`${rule.method} ${path}`, req, undefined, run.redactor)] }));
    }
  }
  return out;
}

/** The cookies the login sets must be Secure, HttpOnly and SameSite Lax/Strict. */
export async function sessionCookieCheck(run: SecurityRun, logins: Logins): Promise<CheckResult> {
  const startedAt = Date.now();
  const cfg = run.config.sessionCookie;
  const meta = { def: 'cookies.session', slug: 'cookies.session', severity: cfg.severity, startedAt };
  const roles = logins.available();
  if (!roles.length) return makeCheck({ ...meta, status: 'skipped', message: 'no roles configured: no login to see the session cookie of' });
  // Only a real login answer shows the cookie the app sets; pre-issued tokens or cookies say nothing about it.
  let s: Session | undefined;
  let role = '';
  for (const r of roles) {
    const got = await logins.get(r);
    if (got.error) return makeCheck({ ...meta, status: 'errored', message: got.error, evidence: got.evidence });
    if (got.loggedIn) {
      s = got;
      role = r;
      break;
    }
  }
  if (!s) return makeCheck({ ...meta, status: 'skipped', message: 'no role signs in through a login pdv sends itself (pre-issued tokens or cookies, a login module): no Set-Cookie answer to inspect' });
  const base = { ...meta, ...(s.evidence[0]?.url ? { url: s.evidence[0].url } : {}) };
  const cookies = s.setCookies.map((raw) => ({ raw, c: parseSetCookie(raw) })).filter(({ c }) => !cfg.name || c.name === cfg.name);
  if (!cookies.length) return makeCheck({ ...base, status: cfg.name ? 'failed' : 'skipped', message: cfg.name ? `login did not set cookie ${cfg.name}` : 'login sets no cookie (token-only session)', evidence: s.evidence });
  // Secure is asked of cookies set over HTTPS (a browser drops a Secure cookie set over plain
  // HTTP, so a plain-HTTP stand cannot have it); a missing SameSite means Lax in browsers.
  const overHttps = (s.evidence[0]?.url ?? run.apiUrl).startsWith('https:');
  const problems = cookies.flatMap(({ c }) => {
    const missing = [
      overHttps && !c.secure && 'Secure',
      // An anti-CSRF cookie is read by the page's script on purpose (double-submit): HttpOnly is not asked of it.
      !c.httpOnly && !/csrf|xsrf/i.test(c.name) && 'HttpOnly',
      c.sameSite === 'none' && !c.secure && 'Secure (required with SameSite=None)',
    ].filter(Boolean);
    return missing.length ? [`${c.name} set without ${missing.join(', ')}`] : [];
  });
  return makeCheck({
    ...base,
    status: problems.length ? 'failed' : 'passed',
    message: problems.length ? `${problems.join('; ')} (login as ${role})` : `${cookies.map(({ c }) => c.name).join(', ')} set with HttpOnly${overHttps ? ', Secure' : ' (plain HTTP: Secure not asked)'}`,
    evidence: s.evidence,
  });
}
