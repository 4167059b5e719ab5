import { evaluate, type ResponseExpect } from '../http/expect.ts';
import type { VerifyConfig } from './config.ts';
import type { Send, SendRequest, SendResponse } from './session.ts';

// "Who am I": one request sent with the new session that must answer as the
// signed-in user. `{username}` is the role's username wherever it appears.

export interface VerifyInput {
  cfg: VerifyConfig;
  username: string | undefined;
  /** The URL the path is on. */
  base: string;
  headersFor: (url: string) => Record<string, string>;
  send: Send;
  signal: AbortSignal;
  timeoutMs: number;
}

export type VerifyResult = { ok: true; req: SendRequest; res: SendResponse; summary: string } | { ok: false; req: SendRequest; res?: SendResponse; problems: string[]; error?: string };

function fill<T>(value: T, username: string | undefined): T {
  if (username === undefined) return value;
  if (typeof value === 'string') return value.replaceAll('{username}', username) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => fill(v, username)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, username)])) as T;
  return value;
}

export function resolveOn(path: string, base: string): string {
  if (/^https?:\/\//.test(path)) return path;
  return new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`).toString();
}

export async function runVerify(i: VerifyInput): Promise<VerifyResult> {
  const cfg = i.cfg;
  const url = resolveOn(fill(cfg.path, i.username === undefined ? undefined : encodeURIComponent(i.username)), i.base);
  const body = cfg.body === undefined ? undefined : typeof cfg.body === 'string' ? fill(cfg.body, i.username) : JSON.stringify(fill(cfg.body, i.username));
  const headers: Record<string, string> = {
    accept: 'application/json, text/html;q=0.9, */*;q=0.5',
    ...(body !== undefined && typeof cfg.body !== 'string' ? { 'content-type': 'application/json' } : {}),
    ...i.headersFor(url),
    ...cfg.headers,
  };
  const req: SendRequest = { method: cfg.method, url, headers, ...(body !== undefined ? { body } : {}) };
  let res: SendResponse;
  try {
    res = await i.send(req, i.signal, i.timeoutMs);
  } catch (err) {
    return { ok: false, req, problems: [], error: err instanceof Error ? err.message : String(err) };
  }
  const expect = fill<ResponseExpect>(cfg.expect, i.username);
  const flat = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
  const problems = evaluate(expect, { status: res.status, headers: flat, body: res.body });
  // A redirect to a login page is "not signed in", whatever the expectation allowed.
  if (res.status >= 300 && res.status < 400 && /log[-_ ]?in|sign[-_ ]?in|auth/i.test(res.headers.location?.[0] ?? '')) problems.push(`redirected to ${res.headers.location?.[0] ?? ''}`);
  if (problems.length) return { ok: false, req, res, problems };
  return { ok: true, req, res, summary: `${cfg.method} ${cfg.path} answered HTTP ${res.status} as expected` };
}
