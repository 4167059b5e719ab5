import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult } from '../../../core/types.ts';
import type { AccessRule } from '../config.ts';
import { httpEvidence, type ProbeRequest } from '../../../http/probe-client.ts';
import { makeCheck } from '../result.ts';
import { joinUrl, type SecurityRun } from '../run-context.ts';
import type { Logins, Session } from './login.ts';
import { parseSetCookie } from '../../../observatory/tests.ts';

export function ruleSlug(rule: AccessRule): string {
  if (rule.name) return rule.name;
  const path = rule.path.replace(/\{id:([^}]+)\}/g, '$1').replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
  return `${rule.role}-${rule.method.toLowerCase()}-${path}`.slice(0, 80);
}

/** One check per row of the access table: call the endpoint as the role, compare the status. */
export async function accessChecks(run: SecurityRun, logins: Logins): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const rule of run.config.access.rules) {
    const startedAt = Date.now();
    const expected = Array.isArray(rule.expect) ? rule.expect : [rule.expect];
    const base = { def: 'access.rule', slug: `access.${ruleSlug(rule)}`, severity: rule.severity, startedAt, title: `${rule.role} ${rule.method} ${rule.path} → ${expected.join('|')}` };
    let path = rule.path;
    const headers: Record<string, string> = { accept: 'application/json' };
    try {
      for (const m of rule.path.matchAll(/\{id:([^}]+)\}/g)) {
        const s = await logins.get(m[1] as string);
        if (s.error || !s.userId) throw new Error(s.error ?? `login as ${m[1]} gave no user id`);
        path = path.replace(m[0], encodeURIComponent(s.userId));
      }
      if (rule.role !== 'anonymous') {
        const s = await logins.get(rule.role);
        if (s.error) throw new Error(s.error);
        Object.assign(headers, s.headersFor(joinUrl(run.apiUrl, path)));
      }
    } catch (err) {
      out.push(makeCheck({ ...base, status: 'errored', message: `cannot run ${rule.method} ${rule.path} as ${rule.role}: ${errorMessage(err)}`, url: joinUrl(run.apiUrl, rule.path) }));
      continue;
    }
    const req: ProbeRequest = { method: rule.method, url: joinUrl(run.apiUrl, path), headers };
    if (rule.body !== undefined) {
      req.body = typeof rule.body === 'string' ? rule.body : JSON.stringify(rule.body);
      headers['content-type'] = typeof rule.body === 'string' ? 'text/plain' : 'application/json';
    }
    try {
      const res = await run.client(req);
      const ok = expected.includes(res.status);
      out.push(
        makeCheck({
          ...base,
          status: ok ? 'passed' : 'failed',
          message: `${rule.method} ${path} as ${rule.role} answered ${res.status}, expected ${expected.join(' or ')}`,
          url: req.url,
          observed: res.status,
          limit: expected.join('|'),
          evidence: [httpEvidence(`${rule.method} ${path} as ${rule.role}`, req, res, run.redactor)],
        }),
      );
    } catch (err) {
      out.push(makeCheck({ ...base, status: 'errored', message: `${rule.method} ${path} as ${rule.role}: ${errorMessage(err)}`, url: req.url, evidence: [httpEvidence(`${rule.method} ${path}`, req, undefined, run.redactor)] }));
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
