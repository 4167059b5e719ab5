import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

// Smoke on the restored app when the smoke stage's runner is not available:
// the first probe (health) is retried through warm-up, the rest must answer
// 2xx at once; a health body saying anything but "ok" fails.

export interface ProbeResult {
  path: string;
  status: number | null;
  ok: boolean;
  message: string;
}

async function probeOnce(baseUrl: string, path: string, signal: AbortSignal, token?: string): Promise<ProbeResult> {
  try {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const res = await request(new URL(path, baseUrl), { signal, headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300) return { path, status: res.statusCode, ok: false, message: `${path} → ${res.statusCode}` };
    if (path === '/health' || path.endsWith('/health')) {
      try {
        const body = JSON.parse(text) as { status?: string };
        if (body.status && body.status !== 'ok') return { path, status: res.statusCode, ok: false, message: `${path} says "${body.status}"` };
      } catch {
        // non-JSON health: the status code decides
      }
    }
    return { path, status: res.statusCode, ok: true, message: `${path} → ${res.statusCode}` };
  } catch (err) {
    return { path, status: null, ok: false, message: `${path}: ${(err as Error).message}` };
  }
}

/** POST {username, password} → the token field of the JSON answer. */
export async function loginForToken(baseUrl: string, path: string, username: string, password: string, signal: AbortSignal): Promise<string> {
  const res = await request(new URL(path, baseUrl), {
    method: 'POST',
    signal,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const body = (await res.body.json().catch(() => ({}))) as { token?: unknown };
  if (res.statusCode !== 200 || typeof body.token !== 'string') throw new Error(`login as ${username} → ${res.statusCode}`);
  return body.token;
}

export async function probeApp(
  baseUrl: string,
  paths: string[],
  opts: { signal: AbortSignal; warmupMs: number; login?: () => Promise<string> },
): Promise<ProbeResult[]> {
  const [first, ...rest] = paths;
  const out: ProbeResult[] = [];
  if (first) {
    const until = Date.now() + opts.warmupMs;
    let r = await probeOnce(baseUrl, first, opts.signal);
    while (!r.ok && Date.now() < until) {
      await sleep(250, undefined, { signal: opts.signal });
      r = await probeOnce(baseUrl, first, opts.signal);
    }
    out.push(r);
  }
  let token: string | undefined;
  if (opts.login && rest.length) {
    try {
      token = await opts.login();
      out.push({ path: 'login', status: 200, ok: true, message: 'login → 200' });
    } catch (err) {
      out.push({ path: 'login', status: null, ok: false, message: (err as Error).message });
      return out;
    }
  }
  for (const p of rest) out.push(await probeOnce(baseUrl, p, opts.signal, token));
  return out;
}
