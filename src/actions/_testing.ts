import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configSchema, type ConfigInput } from '../config/schema.ts';
import type { ResolvedConfig } from '../config/types.ts';
import type { VerdictReport } from '../core/types.ts';
import { SCHEMA_VERSION } from '../core/types.ts';

// Test helpers for the actions: a loopback server that records what it got
// and misbehaves on demand, and small fixtures. Not imported by product code.

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What to answer request n (1-based): a status, or 'hang' (never answer). */
export type Responder = (n: number, req: Received) => number | 'hang';

export interface RecordingServer {
  url: string;
  received: Received[];
  respond: Responder;
  close(): Promise<void>;
}

export async function recordingServer(respond: Responder = () => 200): Promise<RecordingServer> {
  const received: Received[] = [];
  const state: RecordingServer = { url: '', received, respond, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      const answer = state.respond(received.length, r);
      if (answer === 'hang') return; // the client's timeout must deal with it
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'boom');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

export function fixtureConfig(env: Record<string, unknown>, top: Partial<ConfigInput> = {}, rootDir = process.cwd()): ResolvedConfig {
  const parsed = configSchema.parse({ project: 'ai-film-studio', ...top, environments: { staging: { baseUrl: 'http://127.0.0.1:9', ...env } } });
  const environment = parsed.environments.staging;
  if (!environment) throw new Error('fixture: no staging environment');
  return { ...parsed, rootDir, environmentName: 'staging', environment, runtime: {}, env: process.env };
}

export function fixtureReport(over: Partial<VerdictReport> = {}): VerdictReport {
  const now = new Date().toISOString();
  return {
    schemaVersion: SCHEMA_VERSION,
    runId: 'run-1',
    verdict: 'rollback',
    partial: false,
    reasons: [
      { checkId: 'smoke.health', stage: 'smoke', severity: 'critical', status: 'failed', message: 'GET /health → 503 down', effect: 'rollback' },
      { checkId: 'smoke.login', stage: 'smoke', severity: 'major', status: 'failed', message: 'login page timed out', effect: 'rollback' },
    ],
    warnings: [],
    stages: [
      { name: 'smoke', status: 'failed', durationMs: 1234 },
      { name: 'load', status: 'passed', durationMs: 5678 },
    ],
    checks: [],
    target: { environment: 'staging', baseUrl: 'http://127.0.0.1:9', expectedVersion: '1.4.0', observedVersion: '1.4.0', deployId: 'deploy-42' },
    startedAt: now,
    finishedAt: now,
    durationMs: 7000,
    artifacts: [],
    actions: [],
    counts: { passed: 3, failed: 2, flaky: 0, skipped: 0, errored: 1 },
    extras: {},
    ...over,
  };
}

/** No real waiting between retries in tests; records the waits asked for. */
export function fakeSleep(waits: number[] = []): (ms: number) => Promise<void> {
  return async (ms) => {
    waits.push(ms);
  };
}
