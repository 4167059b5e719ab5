import { request } from 'undici';
import { trustingDispatcher } from '../http/tls.ts';
import { EvidenceError } from '../core/errors.ts';
import type { Redactor } from '../core/redact.ts';
import type { EnginePlan, PreparedRequest, PreparedScenario } from './plan.ts';
import { rolesUsed, type RequestSpec, type ScenarioFile, type SetupStep } from './scenario.ts';
import { assertHostsAllowed } from './safety.ts';
import type { ParsedThreshold } from './thresholds.ts';

// Before the clock starts: log in once per role (tokens become secrets of
// the run), run the setup steps (e.g. create the project the write paths
// use), resolve templates, check every origin against the allow-list.

export interface PrepareInput {
  scenario: ScenarioFile;
  file: string;
  thresholds: ParsedThreshold[];
  baseUrl: string;
  apiUrl?: string;
  credentials: Record<string, { username: string; passwordEnv: string }>;
  /**
   * The environment's shared login (src/auth/): headers that make a request a
   * role's. Used when the scenario has no `login` of its own.
   */
  signIn?: (role: string) => Promise<Record<string, string>>;
  secrets: ReadonlyMap<string, string>;
  vars: Record<string, string>;
  allowedHosts: readonly string[];
  redactor: Redactor;
  runId: string;
  requestTimeoutMs: number;
  abort: EnginePlan['abort'];
  windowMs: number;
  /** Override of constant-arrival-rate durations (ms). */
  durationMs?: number;
  signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM), for the engine's connections. */
  ca?: string[];
}

export interface Prepared {
  plan: EnginePlan;
  setup: Record<string, string>;
  roles: string[];
}

type Ctx = { vars: Record<string, string>; setup: Record<string, string>; runId: string };

export function fillTemplate(s: string, c: Ctx): string {
  return s.replace(/\{\{\s*(runId|vars\.([\w-]+)|setup\.([\w-]+))\s*\}\}/g, (m, all: string, v?: string, st?: string) => {
    if (all === 'runId') return c.runId;
    if (v !== undefined) return c.vars[v] ?? m;
    if (st !== undefined) return c.setup[st] ?? m;
    return m;
  });
}

function originFor(spec: Pick<RequestSpec, 'target' | 'path'>, input: PrepareInput): { origin: string; path: string } {
  if (/^https?:\/\//i.test(spec.path)) {
    const u = new URL(spec.path);
    return { origin: u.origin, path: `${u.pathname}${u.search}` };
  }
  const base = new URL(spec.target === 'base' ? input.baseUrl : (input.apiUrl ?? input.baseUrl));
  const prefix = base.pathname.replace(/\/$/, '');
  return { origin: base.origin, path: `${prefix}${spec.path.startsWith('/') ? '' : '/'}${spec.path}` };
}

function bodyOf(body: RequestSpec['body'], headers: Record<string, string>, c: Ctx): string | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return fillTemplate(body, c);
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  return fillTemplate(JSON.stringify(body), c);
}

function pick(obj: unknown, path: string): string | undefined {
  let cur: unknown = obj;
  for (const k of path.split('.')) {
    if (cur && typeof cur === 'object' && k in cur) cur = (cur as Record<string, unknown>)[k];
    else return undefined;
  }
  return cur === undefined || cur === null ? undefined : String(cur);
}

async function send(method: string, url: string, headers: Record<string, string>, body: string | undefined, input: PrepareInput): Promise<{ status: number; json: unknown }> {
  // Setup calls are few: retry a 5xx or a network error twice (a flaky target must not block the run's setup).
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const res = await request(url, {
        method: method as 'GET',
        headers,
        ...(body !== undefined ? { body } : {}),
        headersTimeout: input.requestTimeoutMs,
        bodyTimeout: input.requestTimeoutMs,
        ...(input.signal ? { signal: input.signal } : {}),
        ...(input.ca?.length ? { dispatcher: trustingDispatcher(input.ca) } : {}),
      });
      const text = await res.body.text();
      if (res.statusCode >= 500) {
        last = new Error(`HTTP ${res.statusCode}`);
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, json };
    } catch (err) {
      if (input.signal?.aborted) throw err;
      last = err;
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

async function login(role: string, input: PrepareInput): Promise<Record<string, string>> {
  if (!input.scenario.login) {
    if (!input.signIn) throw new EvidenceError(`role "${role}" needs the scenario's login (login.path) or the environment's auth`);
    return input.signIn(role);
  }
  const cred = input.credentials[role];
  if (!cred) throw new EvidenceError(`role "${role}" is not in environment.credentials`);
  const password = input.secrets.get(cred.passwordEnv);
  if (!password) throw new EvidenceError(`no password for role "${role}": ${cred.passwordEnv} is not set`);
  const l = input.scenario.login;
  if (!l) throw new EvidenceError(`role "${role}" needs the scenario's login (login.path)`);
  const { origin, path } = originFor({ path: l.path, target: 'api' }, input);
  const res = await send('POST', origin + path, { 'content-type': 'application/json' }, JSON.stringify({ [l.usernameField]: cred.username, [l.passwordField]: password }), input);
  const token = pick(res.json, l.tokenField);
  if (res.status !== 200 || !token) throw new EvidenceError(`login as role "${role}" failed (HTTP ${res.status})`);
  input.redactor.addSecret(`load.token.${role}`, token);
  return { authorization: `Bearer ${token}` };
}

function headersFor(spec: Pick<RequestSpec, 'headers' | 'role'>, sessions: Map<string, Record<string, string>>, c: Ctx): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers)) h[k.toLowerCase()] = fillTemplate(v, c);
  if (spec.role) Object.assign(h, sessions.get(spec.role) ?? {});
  return h;
}

async function runSetup(steps: SetupStep[], tokens: Map<string, Record<string, string>>, input: PrepareInput, c: Ctx): Promise<void> {
  for (const step of steps) {
    const { origin, path } = originFor(step, input);
    const headers = headersFor(step, tokens, c);
    const body = bodyOf(step.body, headers, c);
    const res = await send(step.method, origin + fillTemplate(path, c), headers, body, input);
    if (res.status >= 400) throw new EvidenceError(`setup step "${step.name}" answered HTTP ${res.status}`);
    for (const [key, field] of Object.entries(step.capture)) {
      const v = pick(res.json, field);
      if (v === undefined) throw new EvidenceError(`setup step "${step.name}": response has no field "${field}" to capture as ${key}`);
      c.setup[key] = v;
    }
  }
}

/** Every origin the scenario would send to (for the allow-list check before anything is sent). */
export function origins(input: Pick<PrepareInput, 'scenario' | 'baseUrl' | 'apiUrl'>): string[] {
  const s = input.scenario;
  const login = s.login && rolesUsed(s).length ? [{ path: s.login.path, target: 'api' as const }] : [];
  const specs = [...login, ...s.setup, ...Object.values(s.scenarios).flatMap((sc) => sc.requests)];
  return [...new Set(specs.map((spec) => originFor(spec, input as PrepareInput).origin))];
}

export async function prepare(input: PrepareInput): Promise<Prepared> {
  assertHostsAllowed(origins(input), input.allowedHosts, `${input.file}`);
  const c: Ctx = { vars: input.vars, setup: {}, runId: input.runId };
  const roles = rolesUsed(input.scenario);
  const tokens = new Map<string, Record<string, string>>();
  for (const role of roles) tokens.set(role, await login(role, input));
  await runSetup(input.scenario.setup, tokens, input, c);
  const scenarios: PreparedScenario[] = Object.entries(input.scenario.scenarios).map(([name, spec]) => {
    const requests: PreparedRequest[] = spec.requests.map((r) => {
      const { origin, path } = originFor(r, input);
      const headers = headersFor(r, tokens, c);
      const body = bodyOf(r.body, headers, c);
      return { name: r.name, method: r.method, origin, path: fillTemplate(path, c), headers, ...(body !== undefined ? { body } : {}) };
    });
    const s = spec.executor === 'constant-arrival-rate' && input.durationMs ? { ...spec, duration: input.durationMs } : spec;
    return { name, spec: s, requests, weights: spec.requests.map((r) => r.weight) };
  });
  return {
    plan: { scenarios, thresholds: input.thresholds, requestTimeoutMs: input.requestTimeoutMs, windowMs: input.windowMs, abort: input.abort, ...(input.ca?.length ? { ca: input.ca } : {}) },
    setup: c.setup,
    roles,
  };
}
