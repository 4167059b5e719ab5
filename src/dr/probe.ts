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

async function probeOnce(baseUrl: string, path: string, signal: AbortSignal): Promise<ProbeResult> {
  try {
    const res = await request(new URL(path, baseUrl), { signal, headersTimeout: 10_000, bodyTimeout: 10_000 });
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

export async function probeApp(baseUrl: string, paths: string[], opts: { signal: AbortSignal; warmupMs: number }): Promise<ProbeResult[]> {
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
  for (const p of rest) out.push(await probeOnce(baseUrl, p, opts.signal));
  return out;
}
