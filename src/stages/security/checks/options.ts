import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult, Evidence } from '../../../core/types.ts';
import type { AccessRule } from '../config.ts';
import { firstHeader, httpEvidence, type ProbeRequest, type ProbeResponse } from '../../../http/probe-client.ts';
import { makeCheck } from '../result.ts';
import { joinUrl, type SecurityRun } from '../run-context.ts';
import { prepare, ruleExpect, ruleSlug } from './access.ts';
import type { Logins } from './login.ts';
import { notProcessed } from './refusal.ts';

// OPTIONS against the access table: an endpoint that advertises (Allow, or
// Access-Control-Allow-Methods on a plain OPTIONS) a method the table says a
// role must not have. It is a claim, not proof — the access rule itself sends
// the real method — so it is reported (minor, warn). An OPTIONS the app does
// not implement or refuses says nothing: skipped with the reason.

/** Whether the rule says the role must not be allowed its method: every expected status is a 4xx. */
export function forbidsMethod(rule: AccessRule): boolean {
  const s = ruleExpect(rule).status;
  if (s === undefined) return false;
  const list = Array.isArray(s) ? s : [s];
  return list.every((x) => (typeof x === 'number' ? x >= 400 && x < 500 : x === '4xx'));
}

/** The methods an OPTIONS answer advertises (upper case), and the header(s) that said so; undefined when none does. */
export function advertisedMethods(res: ProbeResponse): { methods: string[]; header: string } | undefined {
  for (const header of ['allow', 'access-control-allow-methods']) {
    const v = res.headers[header]?.join(',');
    if (v !== undefined && v.trim()) return { methods: v.split(',').map((m) => m.trim().toUpperCase()).filter(Boolean), header };
  }
  return undefined;
}

interface Probe {
  role: string;
  path: string;
  /** Forbidden methods of this role on this path, with the rule that forbids each. */
  forbidden: Array<{ method: string; rule: string }>;
}

/** One OPTIONS per role and path, whatever the number of forbidden methods there. */
function probesOf(rules: AccessRule[]): Probe[] {
  const out = new Map<string, Probe>();
  for (const rule of rules.filter(forbidsMethod)) {
    const key = `${rule.role} ${rule.path}`;
    const p = out.get(key) ?? { role: rule.role, path: rule.path, forbidden: [] };
    p.forbidden.push({ method: rule.method, rule: ruleSlug(rule) });
    out.set(key, p);
  }
  return [...out.values()];
}

/** Sends OPTIONS as each role to the paths the access table forbids it a method on. */
export async function optionsCheck(run: SecurityRun, logins: Logins): Promise<CheckResult> {
  const startedAt = Date.now();
  const probes = probesOf(run.config.access.rules).slice(0, 10);
  const meta = { def: 'methods.options', slug: 'methods.options', url: run.apiUrl, startedAt, attempts: probes.length };
  if (!probes.length) return makeCheck({ ...meta, status: 'skipped', message: 'no access rule forbids a role a method (a rule expecting only 4xx answers): nothing to ask OPTIONS about' });
  const claims: string[] = [];
  const fine: string[] = [];
  const untested: string[] = [];
  const evidence: Evidence[] = [];
  let errors = 0;
  for (const p of probes) {
    const what = `OPTIONS ${p.path} as ${p.role}`;
    let req: ProbeRequest;
    let verified = false;
    try {
      const prepared = await prepare(run, logins, { method: 'GET', path: p.path, role: p.role, expect: 403, severity: 'minor' });
      const { 'content-type': _ct, ...headers } = prepared.req.headers ?? {};
      req = { method: 'OPTIONS', url: prepared.req.url, headers };
      verified = prepared.verified;
    } catch (err) {
      errors += 1;
      untested.push(`${what}: ${errorMessage(err)}`);
      continue;
    }
    try {
      const res = await run.client(req);
      const refused = notProcessed(res, req.url, { signedIn: p.role !== 'anonymous' && !verified, loginPaths: run.loginPaths });
      // 404/501: no OPTIONS there at all, whatever headers a framework adds.
      const adv = refused || res.status === 404 || res.status === 501 ? undefined : advertisedMethods(res);
      if (!adv) {
        untested.push(`${what} answered ${res.status} ${refused ? `(${refused})` : res.status === 404 || res.status === 501 ? '(not implemented)' : 'without Allow'}: no claim to judge`);
        continue;
      }
      const claimed = p.forbidden.filter((f) => adv.methods.includes(f.method));
      if (claimed.length) {
        claims.push(`${what} advertises ${claimed.map((c) => `${c.method} (access rule ${c.rule} expects it refused)`).join(', ')} in ${adv.header}: ${firstHeader(res, adv.header)}`);
        evidence.push(httpEvidence(what, req, res, run.redactor, 200));
      } else fine.push(`${what}: ${adv.header} ${adv.methods.join(', ')}`);
    } catch (err) {
      errors += 1;
      untested.push(`${what}: ${errorMessage(err)}`);
    }
  }
  if (claims.length) return makeCheck({ ...meta, status: 'failed', message: `${claims.join('; ')} — a claim, not proof: the access rules send the real method`, evidence });
  if (fine.length) return makeCheck({ ...meta, status: 'passed', message: `OPTIONS advertises no forbidden method: ${fine.join('; ')}${untested.length ? `; not judged: ${untested.join('; ')}` : ''}` });
  if (errors === probes.length) return makeCheck({ ...meta, status: 'errored', message: `could not send OPTIONS at ${joinUrl(run.apiUrl, '/')}: ${untested.join('; ')}` });
  return makeCheck({ ...meta, status: 'skipped', message: untested.join('; ') });
}
