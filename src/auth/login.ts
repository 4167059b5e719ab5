import { errorMessage } from '../core/errors.ts';
import type { Redactor } from '../core/redact.ts';
import type { Evidence } from '../core/types.ts';
import { send } from '../http/send.ts';
import type { AuthConfig, RoleConfig } from './config.ts';
import { parseSetCookie, type SessionCookie } from './cookies.ts';

// The one login module. `planAuth` says, before any request, what a role
// lacks (a usage error); `Authenticator.session(role)` signs in once per role
// and returns what to send to act as it. A login the target refuses is
// evidence about the target (ok: false); one that cannot even be attempted
// was caught at plan time.

export interface SendRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}
export interface SendResponse {
  status: number;
  /** Lower-case names, every value kept. */
  headers: Record<string, string[]>;
  body: string;
}
export type Send = (req: SendRequest, signal: AbortSignal, timeoutMs: number) => Promise<SendResponse>;

export type AuthSession =
  | {
      ok: true;
      role: string;
      /** Headers that make a request this role's (Authorization or Cookie). */
      headers: Record<string, string>;
      token?: string;
      userId?: string;
      /** Cookies the login set (for a browser's storageState). */
      cookies: SessionCookie[];
      /** Raw Set-Cookie values of the login answer (checked by the session-cookie check). */
      setCookies: string[];
      how: 'login' | 'token' | 'cookie' | 'basic';
      evidence: Evidence[];
      durationMs: number;
    }
  | {
      ok: false;
      role: string;
      message: string;
      evidence: Evidence[];
      durationMs: number;
      /** The status the target answered, when it answered. */
      status?: number;
    };

export interface AuthenticatorOptions {
  auth?: AuthConfig;
  roles: Record<string, RoleConfig>;
  /** Login paths resolve against this (the API URL, else the base URL). */
  apiUrl: string;
  secrets: ReadonlyMap<string, string>;
  redactor: Redactor;
  signal: AbortSignal;
  send?: Send;
}

/** Env var names a role's sign-in reads (all of them secrets). */
export function roleSecretNames(role: RoleConfig, auth: AuthConfig | undefined): string[] {
  const names = [role.passwordEnv, role.tokenEnv, role.cookieEnv, role.clientIdEnv, role.clientSecretEnv];
  if (auth && (auth.type === 'oauth2-password' || auth.type === 'oauth2-client-credentials')) names.push(auth.clientIdEnv, auth.clientSecretEnv);
  return names.filter((n): n is string => typeof n === 'string');
}

/**
 * What each role lacks before it can sign in: `[where, problem]` pairs. An
 * empty list means every role can at least be attempted.
 */
export function planAuth(auth: AuthConfig | undefined, roles: Record<string, RoleConfig>, secrets: ReadonlyMap<string, string>): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  const need = (where: string, env: string | undefined, what: string): void => {
    if (!env) problems.push([where, `needs ${what}`]);
    else if (!secrets.get(env)) problems.push([where, `${what} ${env} is not set in the environment`]);
  };
  for (const [name, role] of Object.entries(roles)) {
    const where = `credentials.${name}`;
    if (role.tokenEnv) {
      need(where, role.tokenEnv, 'tokenEnv');
      continue;
    }
    if (role.cookieEnv) {
      need(where, role.cookieEnv, 'cookieEnv');
      continue;
    }
    if (!auth) {
      problems.push([where, 'has no way to sign in: set `auth` for the environment (json, form, oauth2-password, oauth2-client-credentials, basic) or give the role tokenEnv / cookieEnv']);
      continue;
    }
    switch (auth.type) {
      case 'json':
      case 'form':
      case 'oauth2-password':
      case 'basic':
        if (!role.username) problems.push([where, `needs username (auth type ${auth.type})`]);
        need(where, role.passwordEnv, 'passwordEnv');
        break;
      case 'oauth2-client-credentials':
        if (!role.clientIdEnv && !auth.clientIdEnv && !auth.clientId) problems.push([where, 'needs a client id (role clientIdEnv, or auth clientId / clientIdEnv)']);
        if (role.clientIdEnv) need(where, role.clientIdEnv, 'clientIdEnv');
        need(where, role.clientSecretEnv ?? auth.clientSecretEnv, 'clientSecretEnv');
        break;
      case 'bearer':
        need(where, role.tokenEnv, 'tokenEnv (auth type bearer)');
        break;
      case 'cookie':
        need(where, role.cookieEnv, 'cookieEnv (auth type cookie)');
        break;
    }
  }
  if (auth?.type === 'oauth2-password' && auth.clientIdEnv && !secrets.get(auth.clientIdEnv)) problems.push(['auth', `clientIdEnv ${auth.clientIdEnv} is not set in the environment`]);
  if (auth?.type === 'oauth2-password' && auth.clientSecretEnv && !secrets.get(auth.clientSecretEnv)) problems.push(['auth', `clientSecretEnv ${auth.clientSecretEnv} is not set in the environment`]);
  return problems;
}

export const defaultSend: Send = async (req, signal, timeoutMs) => {
  const r = await send({ ...req, timeoutMs, signal });
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v : [String(v)];
  return { status: r.status, headers, body: r.body };
};

export function pickJson(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function resolveUrl(url: string, base: string, username?: string): string {
  const filled = username === undefined ? url : url.replaceAll('{username}', encodeURIComponent(username));
  if (/^https?:\/\//.test(filled)) return filled;
  return new URL(filled.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`).toString();
}

const PASSWORDISH = /pass|secret|token|credential/i;

/** Signs in as each role once (cached) and says what to send as that role. */
export class Authenticator {
  private readonly cache = new Map<string, Promise<AuthSession>>();
  private readonly send: Send;

  constructor(private readonly o: AuthenticatorOptions) {
    this.send = o.send ?? defaultSend;
  }

  roles(): string[] {
    return Object.keys(this.o.roles);
  }

  has(role: string): boolean {
    return role in this.o.roles;
  }

  /** One sign-in per role, shared by every caller; `signal` bounds this caller's wait (an aborted attempt is not kept). */
  session(role: string, signal?: AbortSignal): Promise<AuthSession> {
    let hit = this.cache.get(role);
    if (!hit) {
      const s = signal ?? this.o.signal;
      const attempt = this.signIn(role, s);
      hit = attempt;
      this.cache.set(role, attempt);
      void attempt.then((r) => {
        if (!r.ok && s.aborted && this.cache.get(role) === attempt) this.cache.delete(role);
      });
    }
    return hit;
  }

  private secret(name: string | undefined): string | undefined {
    return name ? this.o.secrets.get(name) : undefined;
  }

  private async signIn(role: string, signal: AbortSignal): Promise<AuthSession> {
    const started = Date.now();
    const cfg = this.o.roles[role];
    const fail = (message: string, evidence: Evidence[] = [], status?: number): AuthSession => ({ ok: false, role, message, evidence, durationMs: Date.now() - started, ...(status !== undefined ? { status } : {}) });
    if (!cfg) return fail(`role "${role}" is not configured (credentials.${role})`);
    const auth = this.o.auth;
    const done = (s: Omit<Extract<AuthSession, { ok: true }>, 'ok' | 'role' | 'durationMs'>): AuthSession => ({ ok: true, role, ...s, durationMs: Date.now() - started });

    const tokenHeader = (token: string, a: { header: string; scheme: string } = { header: 'authorization', scheme: 'Bearer' }): Record<string, string> => ({
      [a.header.toLowerCase()]: a.scheme ? `${a.scheme} ${token}` : token,
    });

    if (cfg.tokenEnv || auth?.type === 'bearer') {
      const token = this.secret(cfg.tokenEnv);
      if (!token) return fail(`no token for role "${role}" (tokenEnv ${cfg.tokenEnv ?? 'unset'})`);
      return done({ headers: tokenHeader(token, auth?.type === 'bearer' || auth?.type === 'json' || auth?.type === 'form' ? auth : undefined), token, cookies: [], setCookies: [], how: 'token', evidence: [] });
    }
    if (cfg.cookieEnv || auth?.type === 'cookie') {
      let value = this.secret(cfg.cookieEnv);
      if (!value) return fail(`no session cookie for role "${role}" (cookieEnv ${cfg.cookieEnv ?? 'unset'})`);
      if (!value.includes('=') && auth?.type === 'cookie' && auth.name) value = `${auth.name}=${value}`;
      const host = new URL(this.o.apiUrl).hostname;
      const cookies = value.split(/;\s*/).filter(Boolean).map((pair): SessionCookie => {
        const i = pair.indexOf('=');
        return { name: pair.slice(0, i), value: pair.slice(i + 1), domain: host, path: '/', httpOnly: true, secure: false, sameSite: 'Lax', expires: -1 };
      });
      for (const c of cookies) this.o.redactor.addSecret(`cookie:${role}:${c.name}`, c.value);
      return done({ headers: { cookie: value }, cookies, setCookies: [], how: 'cookie', evidence: [] });
    }
    if (!auth) return fail(`role "${role}" has no way to sign in (no auth configured)`);
    const password = this.secret(cfg.passwordEnv);
    if (auth.type === 'basic') {
      if (!cfg.username || password === undefined) return fail(`role "${role}" needs username and passwordEnv`);
      const value = `Basic ${Buffer.from(`${cfg.username}:${password}`).toString('base64')}`;
      this.o.redactor.addSecret(`basic:${role}`, value.slice(6));
      return done({ headers: { authorization: value }, cookies: [], setCookies: [], how: 'basic', evidence: [] });
    }

    let req: SendRequest;
    let bodyFields: Record<string, string | number | boolean>;
    if (auth.type === 'json' || auth.type === 'form') {
      if (!cfg.username || password === undefined) return fail(`role "${role}" needs username and passwordEnv`);
      bodyFields = { ...auth.fields, [auth.usernameField]: cfg.username, [auth.passwordField]: password };
      const url = resolveUrl(auth.url, this.o.apiUrl, cfg.username);
      const basic: Record<string, string> = {};
      if (auth.basic) {
        basic.authorization = `Basic ${Buffer.from(`${cfg.username}:${password}`).toString('base64')}`;
        this.o.redactor.addSecret(`basic:${role}`, basic.authorization.slice(6));
      }
      req =
        auth.type === 'json'
          ? { method: auth.method, url, headers: { 'content-type': 'application/json', accept: 'application/json', ...basic }, body: JSON.stringify(bodyFields) }
          : { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json, text/html', ...basic }, body: new URLSearchParams(stringify(bodyFields)).toString() };
    } else {
      // OAuth2 token endpoint (RFC 6749 §4.3 password, §4.4 client credentials).
      const clientId = this.secret(cfg.clientIdEnv) ?? this.secret(auth.clientIdEnv) ?? auth.clientId;
      const clientSecret = this.secret(cfg.clientSecretEnv) ?? this.secret(auth.clientSecretEnv);
      const scope = cfg.scope ?? auth.scope;
      bodyFields = { ...auth.fields, grant_type: auth.type === 'oauth2-password' ? 'password' : 'client_credentials' };
      if (auth.type === 'oauth2-password') {
        if (!cfg.username || password === undefined) return fail(`role "${role}" needs username and passwordEnv`);
        bodyFields.username = cfg.username;
        bodyFields.password = password;
      }
      if (scope) bodyFields.scope = scope;
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
      if (auth.clientAuth === 'basic' && clientId) {
        headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret ?? '')}`).toString('base64')}`;
        this.o.redactor.addSecret(`client-basic:${role}`, headers.authorization.slice(6));
      } else {
        if (clientId) bodyFields.client_id = clientId;
        if (clientSecret) bodyFields.client_secret = clientSecret;
      }
      req = { method: 'POST', url: resolveUrl(auth.tokenUrl, this.o.apiUrl), headers, body: new URLSearchParams(stringify(bodyFields)).toString() };
    }

    const label = `sign in as ${role}`;
    let res: SendResponse;
    try {
      res = await this.send(req, signal, auth.timeout);
    } catch (err) {
      return fail(`${label}: ${req.method} ${this.o.redactor.url(req.url)} failed: ${errorMessage(err)}`, [this.evidence(label, req, undefined)]);
    }
    const evidence = [this.evidence(label, req, res)];
    const okStatus = auth.expect ? auth.expect.includes(res.status) : res.status >= 200 && res.status < 300;
    if (!okStatus) return fail(`${label}: ${req.method} ${this.o.redactor.url(req.url)} answered HTTP ${res.status}`, evidence, res.status);

    let json: unknown;
    try {
      json = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      json = undefined;
    }
    const setCookies = res.headers['set-cookie'] ?? [];
    const host = new URL(req.url).hostname;
    const cookies = setCookies.map((c) => parseSetCookie(c, host)).filter((c): c is SessionCookie => c !== undefined);
    for (const c of cookies) this.o.redactor.addSecret(`cookie:${role}:${c.name}`, c.value);
    const tokenPath = auth.type === 'json' || auth.type === 'form' ? auth.tokenPath : 'access_token';
    const userIdPath = auth.type === 'json' || auth.type === 'form' ? auth.userIdPath : undefined;
    const userIdRaw = userIdPath ? pickJson(json, userIdPath) : undefined;
    const userId = userIdRaw === undefined || userIdRaw === null ? undefined : String(userIdRaw);
    if (tokenPath) {
      const token = pickJson(json, tokenPath);
      if (typeof token !== 'string' || !token) return fail(`${label}: HTTP ${res.status} but no token at "${tokenPath}" in the answer`, evidence);
      this.o.redactor.addSecret(`token:${role}`, token);
      const use = auth.type === 'json' || auth.type === 'form' ? auth : { header: 'authorization', scheme: 'Bearer' };
      return done({ headers: tokenHeader(token, use), token, ...(userId ? { userId } : {}), cookies, setCookies, how: 'login', evidence: this.redactEvidence(evidence) });
    }
    if (!cookies.length) return fail(`${label}: HTTP ${res.status} but the answer set no cookie and no tokenPath is configured`, evidence);
    return done({
      headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
      ...(userId ? { userId } : {}),
      cookies,
      setCookies,
      how: 'login',
      evidence: this.redactEvidence(evidence),
    });
  }

  /** Evidence is built before tokens are known to the redactor: pass it again once they are. */
  private redactEvidence(e: Evidence[]): Evidence[] {
    return this.o.redactor.deep(e);
  }

  private evidence(label: string, req: SendRequest, res: SendResponse | undefined): Evidence {
    const r = this.o.redactor;
    return {
      kind: 'http',
      label,
      url: r.url(req.url),
      data: {
        request: { method: req.method, url: r.url(req.url), headers: r.headers(req.headers), ...(req.body !== undefined ? { body: r.text(blankSecrets(req.body)) } : {}) },
        response: res ? { status: res.status, headers: r.headers(Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, v.length === 1 ? v[0] : v]))), bodyExcerpt: r.text(blankSecrets(res.body.slice(0, 400))) } : null,
      },
    };
  }
}

function stringify(fields: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
}

/** Blank password- and token-like fields of a JSON or form body before anything else sees it. */
export function blankSecrets(body: string): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return JSON.stringify(Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, PASSWORDISH.test(k) ? '[REDACTED]' : v])));
    }
    return body;
  } catch {
    if (/^[^=&\s]+=[^&]*(&[^=&\s]+=[^&]*)*$/.test(body)) {
      const p = new URLSearchParams(body);
      for (const k of [...p.keys()]) if (PASSWORDISH.test(k)) p.set(k, '[REDACTED]');
      return p.toString();
    }
    return body;
  }
}
