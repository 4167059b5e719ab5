import type { Redactor } from '../core/redact.ts';
import type { AuthConfig, RoleConfig } from './config.ts';
import { environmentDispatcher } from '../http/tls.ts';
import { Authenticator, sendVia, type Send } from './login.ts';

// One sign-in per role per run, shared by every stage: a run signs in as
// each role once (apps limit logins; a second login per stage is the
// harness's noise). Keyed by the run's redactor — one per run — and the URL
// the logins go to, held weakly so nothing outlives the run.

const runs = new WeakMap<Redactor, Map<string, Authenticator>>();

export interface SharedAuthInput {
  /** The environment's roles and how they sign in. */
  environment: { auth?: AuthConfig | undefined; credentials: Record<string, RoleConfig>; trustedCa?: string | string[] | undefined };
  secrets: ReadonlyMap<string, string>;
  redactor: Redactor;
  /** Logins resolve against this (the API URL, else the base URL). */
  apiUrl: string;
  /** Browser sign-in pages open on this (the base URL). */
  baseUrl?: string;
  /** The config file's folder: login modules resolve against it. */
  rootDir?: string;
  /** A transport of the caller's own (e.g. a trusted CA): gets an authenticator of its own. */
  send?: Send;
  signal?: AbortSignal;
}

export function sharedAuthenticator(i: SharedAuthInput): Authenticator {
  const env = i.environment;
  const make = (): Authenticator =>
    new Authenticator({
      ...(env.auth ? { auth: env.auth } : {}),
      roles: env.credentials,
      apiUrl: i.apiUrl,
      ...(i.baseUrl ? { baseUrl: i.baseUrl } : {}),
      ...(i.rootDir ? { rootDir: i.rootDir } : {}),
      secrets: i.secrets,
      redactor: i.redactor,
      // Each caller passes its own signal to session(); the shared one never aborts.
      signal: i.signal ?? new AbortController().signal,
      // Plain sign-ins go over the run's transport: the environment's private CA trusted.
      send: i.send ?? sendVia(i.rootDir !== undefined ? environmentDispatcher(env, i.rootDir) : undefined),
    });
  if (i.send) return make();
  let byUrl = runs.get(i.redactor);
  if (!byUrl) runs.set(i.redactor, (byUrl = new Map()));
  let a = byUrl.get(i.apiUrl);
  if (!a) byUrl.set(i.apiUrl, (a = make()));
  return a;
}
