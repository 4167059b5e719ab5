import type { Redactor } from '../core/redact.ts';
import type { Evidence } from '../core/types.ts';
import type { Dispatcher } from 'undici';
import { send } from '../http/send.ts';
import { browserLogin } from './browser.ts';
import type { AuthConfig, RoleConfig } from './config.ts';
import { exchangeEvidence } from './exchange.ts';
import { formLogin } from './form.ts';
import { moduleLogin, moduleProblem } from './module.ts';
import { cannot, refused, type LoginInput, type Outcome } from './outcome.ts';
import { headersFrom, Jar, type AuthSession, type Send } from './session.ts';
import { requestLogin, tokenHeader } from './token-login.ts';
import { blankSecrets } from './util.ts';
import { runVerify } from './verify.ts';

export type { AuthSession, LoginFault, Send, SendRequest, SendResponse, StorageState } from './session.ts';
export { blankSecrets, pickJson } from './util.ts';

// The one login module. `planAuth` says, before any request, what a role
// lacks (a usage error); `Authenticator.session(role)` signs in once per role
// and returns what to send to act as it. A login the target refuses is
// evidence about the target (fault 'target'); one pdv could not perform is
// its own (fault 'harness': the login check is errored, never failed).

export interface AuthenticatorOptions {
  auth?: AuthConfig;
  roles: Record<string, RoleConfig>;
  /** Login paths resolve against this (the API URL, else the base URL). */
  apiUrl: string;
  /** Browser pages open on this (default: apiUrl). */
  baseUrl?: string;
  /** Folder of the config file: login modules resolve against it. */
  rootDir?: string;
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
export function planAuth(auth: AuthConfig | undefined, roles: Record<string, RoleConfig>, secrets: ReadonlyMap<string, string>, rootDir?: string): Array<[string, string]> {
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
      problems.push([where, 'has no way to sign in: set `auth` for the environment (json, form, browser, module, oauth2-password, oauth2-client-credentials, basic) or give the role tokenEnv / cookieEnv']);
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
      case 'browser':
        if (!auth.module && !role.username) problems.push([where, 'needs username (auth type browser)']);
        if (!auth.module || role.passwordEnv) need(where, role.passwordEnv, 'passwordEnv');
        break;
      case 'module':
        // A module may need no password (a signed token, a one-time code); one that is named must be set.
        if (role.passwordEnv) need(where, role.passwordEnv, 'passwordEnv');
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
  if (rootDir && Object.keys(roles).length && (auth?.type === 'module' || (auth?.type === 'browser' && auth.module))) {
    const problem = moduleProblem(auth.module as string, rootDir);
    if (problem) problems.push(['auth.module', problem]);
  }
  return problems;
}

/** Sign-in exchanges over `dispatcher` (a private CA trusted), undici's default without one. */
export function sendVia(dispatcher: Dispatcher | undefined): Send {
  return async (req, signal, timeoutMs) => {
    const r = await send({ ...req, timeoutMs, signal, dispatcher });
    const headers: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v : [String(v)];
    return { status: r.status, headers, body: r.body };
  };
}

export const defaultSend: Send = sendVia(undefined);;

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
    let out: Outcome;
    if (!cfg) out = cannot(`role "${role}" is not configured (credentials.${role})`);
    else {
      try {
        out = await this.attempt(role, cfg, signal);
      } catch (err) {
        out = cannot(`sign in as ${role}: ${this.o.redactor.text(err instanceof Error ? err.message : String(err))}`);
      }
    }
    if (out.ok) out = await this.verified(role, cfg, out, signal);
    const durationMs = Date.now() - started;
    if (!out.ok) return { ok: false, role, message: out.message, fault: out.fault, evidence: this.o.redactor.deep(out.evidence), durationMs, ...(out.status !== undefined ? { status: out.status } : {}) };
    const headersFor = headersFrom(out.fixed, out.jar);
    return {
      ok: true,
      role,
      headers: headersFor(this.o.apiUrl),
      headersFor,
      ...(out.token ? { token: out.token } : {}),
      ...(out.userId ? { userId: out.userId } : {}),
      cookies: out.jar.all(),
      ...(out.storageState ? { storageState: out.storageState } : {}),
      setCookies: out.setCookies ?? out.jar.setCookies,
      how: out.how,
      ...(out.decidedBy ? { decidedBy: out.decidedBy } : {}),
      ...(out.verified ? { verified: true } : {}),
      // Evidence is built before every token is known to the redactor: pass it again now.
      evidence: this.o.redactor.deep(out.evidence),
      durationMs,
    };
  }

  private input(role: string, cfg: RoleConfig, signal: AbortSignal): LoginInput {
    return {
      role,
      username: cfg.username,
      password: this.secret(cfg.passwordEnv),
      apiUrl: this.o.apiUrl,
      baseUrl: this.o.baseUrl ?? this.o.apiUrl,
      rootDir: this.o.rootDir ?? process.cwd(),
      send: this.send,
      redactor: this.o.redactor,
      signal,
    };
  }

  private async attempt(role: string, cfg: RoleConfig, signal: AbortSignal): Promise<Outcome> {
    const auth = this.o.auth;
    const jar = new Jar();
    if (cfg.tokenEnv || auth?.type === 'bearer') {
      const token = this.secret(cfg.tokenEnv);
      if (!token) return cannot(`no token for role "${role}" (tokenEnv ${cfg.tokenEnv ?? 'unset'})`);
      const use = auth?.type === 'bearer' || auth?.type === 'json' || auth?.type === 'form' ? auth : undefined;
      return { ok: true, fixed: tokenHeader(token, use), token, jar, how: 'token', evidence: [] };
    }
    if (cfg.cookieEnv || auth?.type === 'cookie') {
      let value = this.secret(cfg.cookieEnv);
      if (!value) return cannot(`no session cookie for role "${role}" (cookieEnv ${cfg.cookieEnv ?? 'unset'})`);
      if (!value.includes('=') && auth?.type === 'cookie' && auth.name) value = `${auth.name}=${value}`;
      for (const pair of value.split(/;\s*/).filter(Boolean)) {
        const i = pair.indexOf('=');
        const c = { name: pair.slice(0, i), value: pair.slice(i + 1) };
        this.o.redactor.addSecret(`cookie:${role}:${c.name}`, c.value);
        // Pre-issued cookies are host-only on the login URL's host, for every path.
        jar.put({ ...c, httpOnly: true }, this.o.apiUrl);
      }
      return { ok: true, fixed: {}, jar, how: 'cookie', evidence: [] };
    }
    if (!auth) return cannot(`role "${role}" has no way to sign in (no auth configured)`);
    const x = this.input(role, cfg, signal);
    if (auth.type === 'basic') {
      if (!cfg.username || x.password === undefined) return cannot(`role "${role}" needs username and passwordEnv`);
      const value = `Basic ${Buffer.from(`${cfg.username}:${x.password}`).toString('base64')}`;
      this.o.redactor.addSecret(`basic:${role}`, value.slice(6));
      return { ok: true, fixed: { authorization: value }, jar, how: 'basic', evidence: [] };
    }
    if (auth.type === 'module') return moduleLogin(auth, x);
    if (auth.type === 'browser') return browserLogin(auth, x);
    if (auth.type === 'form' && !auth.direct) {
      if (!cfg.username || x.password === undefined) return cannot(`role "${role}" needs username and passwordEnv`);
      const page = await formLogin(auth, x);
      if (!('direct' in page)) return page;
    }
    if ((auth.type === 'json' || auth.type === 'form' || auth.type === 'oauth2-password') && (!cfg.username || x.password === undefined)) return cannot(`role "${role}" needs username and passwordEnv`);
    const client =
      auth.type === 'oauth2-password' || auth.type === 'oauth2-client-credentials'
        ? { clientId: this.secret(cfg.clientIdEnv) ?? this.secret(auth.clientIdEnv) ?? auth.clientId, clientSecret: this.secret(cfg.clientSecretEnv) ?? this.secret(auth.clientSecretEnv), scope: cfg.scope ?? auth.scope }
        : {};
    return requestLogin(auth, x, client);
  }

  /** The configured "who am I" request: a session the application does not honour is refused. */
  private async verified(role: string, cfg: RoleConfig | undefined, out: Extract<Outcome, { ok: true }>, signal: AbortSignal): Promise<Outcome> {
    const auth = this.o.auth;
    const v = auth && 'verify' in auth ? auth.verify : undefined;
    if (!v) return out;
    const base = v.on === 'base' ? (this.o.baseUrl ?? this.o.apiUrl) : v.on === 'api' ? this.o.apiUrl : auth?.type === 'browser' || (auth?.type === 'form' && auth.on === 'base') ? (this.o.baseUrl ?? this.o.apiUrl) : this.o.apiUrl;
    const timeoutMs = auth && 'timeout' in auth ? auth.timeout : 10_000;
    const res = await runVerify({ cfg: v, username: cfg?.username, base, headersFor: headersFrom(out.fixed, out.jar), send: this.send, signal, timeoutMs });
    const r = this.o.redactor;
    const evidence: Evidence[] = [...out.evidence, exchangeEvidence(r, `verify the session of ${role}`, res.req, res.res, blankSecrets)];
    const label = `sign in as ${role}: the session check ${v.method} ${v.path}`;
    if (!res.ok && res.error !== undefined) return refused(`${label} failed: ${r.text(res.error)}`, evidence);
    if (!res.ok) return refused(`${label} does not answer as ${cfg?.username ?? role} (${r.text(res.problems.join('; '))})`, evidence, res.res?.status);
    return { ...out, verified: true, decidedBy: out.decidedBy ? `${out.decidedBy}, and ${res.summary}` : res.summary, evidence };
  }
}
