import type { Authenticator } from '../../auth/index.ts';
import type { Redactor } from '../../core/redact.ts';
import type { CheckResult } from '../../core/types.ts';
import type { SecurityConfig } from './config.ts';
import type { HttpClient, RequestBudget } from '../../http/probe-client.ts';
import type { DebugWatch } from './checks/answer-watch.ts';
import type { ProbeResponse } from '../../http/probe-client.ts';

/** One site: a host the checks run against, by its http:// and/or https:// URL. */
export interface Site {
  /** `base` or `api`: the middle part of check ids. */
  name: string;
  httpUrl?: string;
  httpsUrl?: string;
}

/** Whether a site refuses every anonymous request (checks/gate.ts). */
export interface SiteGate {
  /** Why anonymous probes on this site are no evidence, or undefined when the site answers them. */
  refusal?: string;
  /** The answers seen (reused as the catch-all baseline of the exposed-file probes). */
  answers: ProbeResponse[];
}

/** What every check module gets. */
export interface SecurityRun {
  config: SecurityConfig;
  client: HttpClient;
  /** Shared with the client; TLS probes take from it too. */
  budget: RequestBudget;
  redactor: Redactor;
  signal: AbortSignal;
  sites: Site[];
  /** Where API calls (login, access rules, CORS paths) go. */
  apiUrl: string;
  /** Web base (login page for the open-redirect probe). */
  webUrl: string;
  /** Extra trusted CA PEMs. */
  ca: string[];
  /** Signs in as the environment's roles (one login module for every stage). */
  auth: Authenticator;
  /** Credentials by role (username + password from the environment), for form posts that need them (open-redirect). */
  credentials: Map<string, { username: string; password: string }>;
  /** Login pages the config names (a redirect there means "not signed in", not an answer). */
  loginPaths: string[];
  /** Per origin: does the site refuse every anonymous request (checks/gate.ts). */
  gates: Map<string, Promise<SiteGate>>;
  /** Debug pages and stack traces seen in any answer of the stage (checks/debug-pages.ts). */
  debug: DebugWatch;
  progress(message: string): void;
}

/** Preferred URL of a site: HTTPS when there is one. */
export function siteUrl(site: Site): string {
  return (site.httpsUrl ?? site.httpUrl) as string;
}

/** Paths are absolute on the host of `base` (`/api/login` on `http://h:1/api` → `http://h:1/api/login`). */
export function joinUrl(base: string, path: string): string {
  return new URL(path, base).toString();
}

export type CheckList = CheckResult[];
