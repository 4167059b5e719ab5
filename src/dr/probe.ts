import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

// Smoke on the restored app when the smoke stage's runner is not available:
// the first probe (health) is retried through warm-up, the rest must answer
// 2xx at once; the health path's answer is judged by the environment's own
// idea of "ready" (`judge`), when given.

export interface ProbeResult {
  path: string;
  status: number | null;
  ok: boolean;
  message: string;
}

/** Why an answer is not ready (empty: it is). */
export type Judge = (path: string, answer: { status: number; headers: Record<string, string | string[] | undefined>; body: string }) => string[];

async function probeOnce(baseUrl: string, path: string, signal: AbortSignal, headers: Record<string, string> = {}, judge?: Judge): Promise<ProbeResult> {
  try {
    const res = await request(new URL(path, baseUrl), { signal, headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
    const text = await res.body.text();
    // The start of the body says why (e.g. "permission denied for schema api"); one line, bounded.
    const why = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    if (res.statusCode < 200 || res.statusCode >= 300) return { path, status: res.statusCode, ok: false, message: `${path} → ${res.statusCode}${why ? ` ${why}` : ''}` };
    const problems = judge?.(path, { status: res.statusCode, headers: res.headers, body: text }) ?? [];
    if (problems.length) return { path, status: res.statusCode, ok: false, message: `${path}: ${problems.join('; ')}` };
    return { path, status: res.statusCode, ok: true, message: `${path} → ${res.statusCode}` };
  } catch (err) {
    return { path, status: null, ok: false, message: `${path}: ${(err as Error).message}` };
  }
}

export async function probeApp(
  baseUrl: string,
  paths: string[],
  opts: { signal: AbortSignal; warmupMs: number; login?: () => Promise<Record<string, string>>; judge?: Judge },
): Promise<ProbeResult[]> {
  const [first, ...rest] = paths;
  const out: ProbeResult[] = [];
  if (first) {
    const until = Date.now() + opts.warmupMs;
    let r = await probeOnce(baseUrl, first, opts.signal, {}, opts.judge);
    while (!r.ok && Date.now() < until) {
      await sleep(250, undefined, { signal: opts.signal });
      r = await probeOnce(baseUrl, first, opts.signal, {}, opts.judge);
    }
    out.push(r);
  }
  let headers: Record<string, string> = {};
  if (opts.login && rest.length) {
    try {
      headers = await opts.login();
      out.push({ path: 'login', status: 200, ok: true, message: 'signed in' });
    } catch (err) {
      out.push({ path: 'login', status: null, ok: false, message: (err as Error).message });
      return out;
    }
  }
  for (const p of rest) out.push(await probeOnce(baseUrl, p, opts.signal, headers, opts.judge));
  return out;
}
