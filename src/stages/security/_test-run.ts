import { Redactor } from '../../core/redact.ts';
import { securityConfigSchema } from './config.ts';
import { createHttpClient, RequestBudget } from './http.ts';
import type { SecurityRun, Site } from './run-context.ts';

// Test helper: a SecurityRun with the stage's defaults, for driving one check module.
export function testRun(o: { sites?: Site[]; apiUrl?: string; webUrl?: string; config?: Record<string, unknown>; ca?: string[]; credentials?: Record<string, { username: string; password: string }> } = {}): SecurityRun {
  const config = securityConfigSchema.parse({ requestTimeout: 3000, ...o.config });
  const budget = new RequestBudget(config.maxRequests);
  const ca = o.ca ?? [];
  const base = o.webUrl ?? o.apiUrl ?? 'http://127.0.0.1:1';
  return {
    config,
    client: createHttpClient({ ca, timeoutMs: config.requestTimeout, signal: new AbortController().signal, budget }),
    budget,
    redactor: new Redactor(),
    signal: new AbortController().signal,
    sites: o.sites ?? [],
    apiUrl: o.apiUrl ?? base,
    webUrl: base,
    ca,
    credentials: new Map(Object.entries(o.credentials ?? {})),
    progress: () => {},
  };
}
