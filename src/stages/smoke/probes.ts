import type { SmokeConfig } from './config.ts';
import { isResolveFailure } from '../../http/resolve.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { sharedAuthenticator, type Authenticator, type AuthSession } from '../../auth/index.ts';
import { errorMessage } from '../../core/errors.ts';
import type { StageContext } from '../stage.ts';
import type { CheckResult, Evidence, Target } from '../../core/types.ts';
import { evaluate, parseJson, valuesAt } from '../../http/expect.ts';
import { send, type Reply } from '../../http/send.ts';
import { environmentDispatcher } from '../../http/tls.ts';
import type { Dispatcher } from 'undici';
import type { SmokeCheckConfig } from './config.ts';

// The declarative part of smoke: sign in as each role, read the live version,
// and run the HTTP checks the config declares. Everything here is about the
// target: a refused login or an unexpected answer fails; only a harness fault
// (aborted, a role that could not sign in for a declared check) is errored.

/** The run's shared sign-in for this target (one login per role per run). */
export function authenticatorFor(ctx: StageContext<SmokeConfig>, target: Target): Authenticator {
  return sharedAuthenticator({ environment: ctx.settings.environment, secrets: ctx.secrets, redactor: ctx.redactor, apiUrl: target.apiUrl ?? target.baseUrl, baseUrl: target.baseUrl, rootDir: ctx.settings.rootDir });
}

/** The run's transport to the target: its private CA trusted, if the environment names one. */
export function trustOf(ctx: StageContext<SmokeConfig>): Dispatcher | undefined {
  return environmentDispatcher(ctx.settings.environment, ctx.settings.rootDir);
}

export function urlOn(target: Target, on: 'api' | 'web', path: string): string {
  const base = on === 'api' ? (target.apiUrl ?? target.baseUrl) : target.baseUrl;
  return new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`).toString();
}

function exchangeEvidence(ctx: StageContext<SmokeConfig>, label: string, req: { method: string; url: string; headers: Record<string, string>; body?: string }, res: Reply | undefined): Evidence {
  const r = ctx.redactor;
  return {
    kind: 'http',
    label,
    url: r.url(req.url),
    data: {
      request: { method: req.method, url: r.url(req.url), headers: r.headers(req.headers), ...(req.body !== undefined ? { body: r.excerpt(req.body, 2000) } : {}) },
      response: res ? { status: res.status, headers: r.headers(res.headers), bodyExcerpt: r.excerpt(res.body, 1000), durationMs: Math.round(res.durationMs) } : null,
    },
  };
}

export async function loginChecks(ctx: StageContext<SmokeConfig>, auth: Authenticator, idPrefix: string, stage: string): Promise<CheckResult[]> {
  const cfg = ctx.config.login;
  if (!cfg.enabled) return [];
  const out: CheckResult[] = [];
  for (const role of auth.roles()) {
    if (ctx.signal.aborted) break;
    const s = await auth.session(role, ctx.signal);
    // A throttled sign-in (429) says the target is limiting the harness, not that the deploy broke.
    const throttled = !s.ok && s.status === 429;
    out.push({
      id: `${idPrefix}.login.${role}`,
      stage,
      title: `sign in as ${role}`,
      severity: cfg.severity,
      ...(throttled ? { onFail: 'hold' as const } : {}),
      // A sign-in pdv could not perform (form not found, browser would not start) is not evidence.
      status: ctx.signal.aborted || (!s.ok && s.fault === 'harness') ? 'errored' : s.ok ? 'passed' : 'failed',
      message: s.ok ? `signed in as ${role} (${s.how}${s.decidedBy ? `: ${s.decidedBy}` : ''})` : throttled ? `${s.message} (throttled: the app limits sign-ins; not evidence of a bad deploy)` : s.message,
      durationMs: Math.round(s.durationMs),
      attempts: 1,
      evidence: s.evidence,
      tags: ['@smoke', `@${cfg.severity}`],
    });
  }
  return out;
}

/** The live version, read where the environment says; compared with the expected one when given. */
export async function versionCheck(ctx: StageContext<SmokeConfig>, target: Target, idPrefix: string, stage: string): Promise<{ check: CheckResult; observed?: string } | undefined> {
  const v = ctx.settings.environment.version;
  if (!v) return undefined;
  const url = urlOn(target, v.on, v.path);
  const req = { method: 'GET', url, headers: { accept: 'application/json' } };
  const base = { id: `${idPrefix}.version`, stage, title: 'live version', severity: 'critical' as const, attempts: 1, tags: ['@smoke', '@critical'] };
  const started = Date.now();
  let res: Reply | undefined;
  try {
    res = await send({ ...req, timeoutMs: 10_000, signal: ctx.signal, dispatcher: trustOf(ctx) });
  } catch (err) {
    return { check: { ...base, status: ctx.signal.aborted || isResolveFailure(err) ? 'errored' : 'failed', message: `GET ${ctx.redactor.url(url)}: ${errorMessage(err)}`, durationMs: Date.now() - started, evidence: [exchangeEvidence(ctx, 'version', req, undefined)] } };
  }
  const evidence = [exchangeEvidence(ctx, 'version', req, res)];
  let observed: string | undefined;
  if (v.header) {
    const h = res.headers[v.header.toLowerCase()];
    observed = Array.isArray(h) ? h[0] : h;
  } else if (v.field) {
    const parsed = parseJson(res.body);
    const found = parsed.ok ? valuesAt(parsed.value, v.field)[0] : undefined;
    if (found?.present && (typeof found.value === 'string' || typeof found.value === 'number')) observed = String(found.value);
  }
  const where = v.header ? `header ${v.header}` : `field ${v.field}`;
  const durationMs = Date.now() - started;
  if (res.status < 200 || res.status >= 300) return { check: { ...base, status: 'failed', message: `GET ${v.path} answered HTTP ${res.status}`, durationMs, evidence } };
  if (observed === undefined) return { check: { ...base, status: 'failed', message: `GET ${v.path} has no version (${where})`, durationMs, evidence } };
  const expected = target.expectedVersion;
  if (expected === undefined) return { observed, check: { ...base, status: 'passed', message: `live version ${observed} (no expected version given)`, observed, durationMs, evidence } };
  const same = observed === expected || observed.replace(/^v/, '') === expected.replace(/^v/, '');
  return {
    observed,
    check: { ...base, status: same ? 'passed' : 'failed', message: same ? `live version ${observed}` : `live version ${observed}, expected ${expected}`, observed, limit: expected, durationMs, evidence },
  };
}

export async function declaredCheck(ctx: StageContext<SmokeConfig>, target: Target, auth: Authenticator, c: SmokeCheckConfig, idPrefix: string, stage: string): Promise<CheckResult> {
  const id = `${idPrefix}.${c.id}`;
  const title = c.title ?? `${c.method} ${c.path}${c.role ? ` as ${c.role}` : ''}`;
  const base = { id, stage, title, severity: c.severity, ...(c.onFail ? { onFail: c.onFail } : {}), tags: ['@smoke', `@${c.severity}`, ...c.tags] };
  const started = Date.now();
  let session: AuthSession | undefined;
  if (c.role) {
    session = await auth.session(c.role, ctx.signal);
    if (!session.ok) {
      return { ...base, status: 'errored', message: `could not act as ${c.role}: ${session.message}`, durationMs: Date.now() - started, attempts: 0, evidence: session.evidence };
    }
  }
  const url = urlOn(target, c.on, c.path);
  const headers: Record<string, string> = { accept: 'application/json, text/html;q=0.9, */*;q=0.5', ...(session?.ok ? session.headersFor(url) : {}), ...c.headers };
  let body: string | undefined;
  if (c.body !== undefined) {
    body = typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
    headers['content-type'] ??= 'application/json';
  } else if (c.form) {
    body = new URLSearchParams(c.form).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  const req = { method: c.method, url, headers, ...(body !== undefined ? { body } : {}) };
  const { maxLatency, ...expect } = c.expect;
  let attempts = 0;
  let firstFailure: string | undefined;
  let last: { problems: string[]; evidence: Evidence; latency?: number } | undefined;
  let unresolved = false;
  for (let i = 0; i <= c.retries; i++) {
    if (ctx.signal.aborted) break;
    if (i > 0) await delay(c.retryDelay, undefined, { signal: ctx.signal }).catch(() => undefined);
    attempts++;
    let res: Reply | undefined;
    let problems: string[];
    try {
      res = await send({ ...req, timeoutMs: c.timeout, signal: ctx.signal, followRedirects: c.followRedirects, dispatcher: trustOf(ctx) });
      problems = evaluate(expect, res);
      if (maxLatency !== undefined && res.durationMs > maxLatency) problems.push(`took ${Math.round(res.durationMs)} ms, budget ${maxLatency} ms`);
    } catch (err) {
      if (ctx.signal.aborted) break;
      unresolved = isResolveFailure(err);
      problems = [`${c.method} ${ctx.redactor.url(req.url)}: ${errorMessage(err)}`];
    }
    last = { problems, evidence: exchangeEvidence(ctx, title, req, res), ...(res ? { latency: Math.round(res.durationMs) } : {}) };
    if (problems.length === 0) break;
    firstFailure ??= problems.join('; ');
  }
  const durationMs = Date.now() - started;
  if (!last || ctx.signal.aborted) return { ...base, status: 'errored', message: 'aborted before an answer', durationMs, attempts, evidence: last ? [last.evidence] : [] };
  const latency = last.latency !== undefined ? { observed: last.latency, unit: 'ms', ...(maxLatency !== undefined ? { limit: maxLatency } : {}) } : {};
  if (last.problems.length && unresolved) return { ...base, status: 'errored', message: `${last.problems.join('; ')} (the harness could not resolve the host)`, durationMs, attempts, evidence: [last.evidence] };
  if (last.problems.length) return { ...base, status: 'failed', message: last.problems.join('; '), durationMs, attempts, evidence: [last.evidence], ...latency };
  if (attempts > 1) return { ...base, status: 'flaky', message: `passed on attempt ${attempts}; first failure: ${firstFailure}`, durationMs, attempts, evidence: [last.evidence], ...latency };
  return { ...base, status: 'passed', message: `HTTP answer as expected`, durationMs, attempts, evidence: [last.evidence], ...latency };
}
