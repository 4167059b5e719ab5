import { Authenticator, authSchema } from '../../auth/index.ts';
import { Redactor } from '../../core/redact.ts';
import { securityConfigSchema } from './config.ts';
import { createHttpClient, RequestBudget } from '../../http/probe-client.ts';
import type { SecurityRun, Site } from './run-context.ts';

// Test helper: a SecurityRun with the stage's defaults, for driving one check module.
export function testRun(
  o: { sites?: Site[]; apiUrl?: string; webUrl?: string; config?: Record<string, unknown>; ca?: string[]; credentials?: Record<string, { username: string; password: string }>; auth?: unknown } = {},
): SecurityRun {
  const config = securityConfigSchema.parse({ requestTimeout: 3000, ...o.config });
  const budget = new RequestBudget(config.maxRequests);
  const ca = o.ca ?? [];
  const base = o.webUrl ?? o.apiUrl ?? 'http://127.0.0.1:1';
  const client = createHttpClient({ ca, timeoutMs: config.requestTimeout, signal: new AbortController().signal, budget });
  const redactor = new Redactor();
  const creds = Object.entries(o.credentials ?? {});
  const auth = new Authenticator({
    ...(o.auth ? { auth: authSchema.parse(o.auth) } : {}),
    roles: Object.fromEntries(creds.map(([role, c]) => [role, { username: c.username, passwordEnv: `PW_${role.toUpperCase()}` }])),
    apiUrl: o.apiUrl ?? base,
    secrets: new Map(creds.map(([role, c]) => [`PW_${role.toUpperCase()}`, c.password])),
    redactor,
    signal: new AbortController().signal,
    send: (req) => client(req),
  });
  return {
    config,
    client,
    auth,
    budget,
    redactor,
    signal: new AbortController().signal,
    sites: o.sites ?? [],
    apiUrl: o.apiUrl ?? base,
    webUrl: base,
    ca,
    credentials: new Map(Object.entries(o.credentials ?? {})),
    progress: () => {},
  };
}
