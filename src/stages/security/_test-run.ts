import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { Authenticator, authSchema } from '../../auth/index.ts';
import { configSchema } from '../../config/schema.ts';
import type { ResolvedConfig } from '../../config/types.ts';
import { policy } from '../../core/policy.ts';
import type { CheckResult } from '../../core/types.ts';
import { settingsOf } from '../../jobs/plan.ts';
import type { StageContext } from '../stage.ts';
import type { SecurityConfig } from './config.ts';
import { securityStage } from './index.ts';
import { DebugWatch } from './checks/answer-watch.ts';
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
  const debug = new DebugWatch();
  const client = debug.wrap(createHttpClient({ ca, timeoutMs: config.requestTimeout, signal: new AbortController().signal, budget }));
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
    loginPaths: [],
    gates: new Map(),
    debug,
    progress: () => {},
  };
}

/**
 * The whole stage against `baseUrl` with `security` as its config, in `tmp`.
 * `environment` adds fields (credentials, auth); `secrets` are the env vars it names.
 */
export async function runSecurityStage(
  tmp: string,
  baseUrl: string,
  security: Record<string, unknown>,
  o: { environment?: Record<string, unknown>; secrets?: Record<string, string> } = {},
): Promise<CheckResult[]> {
  const parsed = configSchema.parse({ environments: { x: { baseUrl, ...o.environment } }, stages: { security } });
  const environment = parsed.environments.x;
  if (!environment) throw new Error('no environment');
  const config: ResolvedConfig = { ...parsed, rootDir: tmp, environmentName: 'x', environment, runtime: {}, env: process.env };
  const secrets = new Map<string, string>(Object.entries(o.secrets ?? {}));
  const checks: CheckResult[] = [];
  const ctx: StageContext<SecurityConfig> = {
    runId: 'test',
    runDir: await mkdtemp(join(tmp, 'run-')),
    config: config.stages.security,
    settings: settingsOf(config),
    target: { environment: 'x', baseUrl },
    secrets,
    redactor: new Redactor(secrets),
    signal: new AbortController().signal,
    imports: [],
    emit: (e) => {
      if (e.type === 'check') checks.push(e.check);
    },
    check: (c) => checks.push(c),
    progress: () => {},
  };
  await securityStage.run(ctx);
  return checks;
}

export const verdictOf = (checks: CheckResult[]): string => policy({ checks, stages: [{ name: 'security', status: 'passed', durationMs: 0 }], required: ['security'] }).verdict;

/** A loopback HTTP server for one test (the body read in full before `handler`); close it with `close()`. */
export async function serveHttp(handler: (req: import('node:http').IncomingMessage, body: string, res: import('node:http').ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const { createServer } = await import('node:http');
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as import('node:net').AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => s.close(() => r())) };
}
