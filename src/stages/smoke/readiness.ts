import { request } from 'undici';
import { errorMessage } from '../../core/errors.ts';

// A deploy that is still warming up is not a failed deploy: poll the health
// endpoint while it says "starting" (503 + status "starting" or Retry-After),
// up to a bound. A target that cannot be reached, or says it is down, is
// answered at once: that is the fast path to a rollback.

export interface ReadinessOptions {
  url: string;
  timeoutMs: number;
  intervalMs: number;
  /** Connection refused is retried only this long (a port may open a moment late). */
  refusedGraceMs: number;
  signal: AbortSignal;
}

export type ReadinessCause = 'refused' | 'dns' | 'tls' | 'down' | 'timeout' | 'network' | 'aborted';

export type Readiness =
  | { ready: true; polls: number; waitedMs: number; status: number; body?: unknown; note?: string }
  | { ready: false; cause: ReadinessCause; message: string; polls: number; waitedMs: number; status?: number; body?: unknown };

const TLS_CODES = /^(?:ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL|HOSTNAME_MISMATCH)/;

/** The most specific error code in the cause chain (undici wraps the socket error). */
function codeOf(err: unknown): string | undefined {
  let fallback: string | undefined;
  for (let e: unknown = err, i = 0; e && i < 6; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (!code.startsWith('UND_ERR')) return code;
    fallback ??= code;
  }
  return fallback;
}

export function classifyError(err: unknown): { cause: ReadinessCause; retry: 'no' | 'grace' | 'yes'; what: string } {
  const code = codeOf(err) ?? '';
  if (code === 'ECONNREFUSED') return { cause: 'refused', retry: 'grace', what: 'connection refused' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return { cause: 'dns', retry: 'no', what: `DNS lookup failed (${code})` };
  if (TLS_CODES.test(code) || /certificate|SSL|TLS/i.test(errorMessage(err))) return { cause: 'tls', retry: 'no', what: `TLS error (${code || errorMessage(err)})` };
  return { cause: 'network', retry: 'yes', what: `request failed (${code || errorMessage(err)})` };
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return secs * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export async function waitForReadiness(o: ReadinessOptions): Promise<Readiness> {
  const start = Date.now();
  const elapsed = (): number => Date.now() - start;
  let polls = 0;
  let firstRefusal: number | undefined;
  let last: { status?: number; body?: unknown; what: string } = { what: 'no answer' };
  while (!o.signal.aborted) {
    polls++;
    const remaining = o.timeoutMs - elapsed();
    let wait = o.intervalMs;
    try {
      const perTry = AbortSignal.any([o.signal, AbortSignal.timeout(Math.max(500, Math.min(5000, remaining)))]);
      const res = await request(o.url, { method: 'GET', signal: perTry, headers: { accept: 'application/json' } });
      const text = await res.body.text();
      let body: unknown = text.slice(0, 2000);
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON: keep the text */
      }
      const status = (body as { status?: unknown } | null)?.status;
      firstRefusal = undefined;
      if (status === 'down') {
        return { ready: false, cause: 'down', polls, waitedMs: elapsed(), status: res.statusCode, body, message: `health at ${o.url} says down (HTTP ${res.statusCode}): ${summarise(body)}` };
      }
      const retryAfter = retryAfterMs(res.headers['retry-after']);
      const warming = res.statusCode === 503 && (status === 'starting' || retryAfter !== undefined);
      if (!warming) {
        return { ready: true, polls, waitedMs: elapsed(), status: res.statusCode, body, ...(res.statusCode === 200 ? {} : { note: `health answered HTTP ${res.statusCode}` }) };
      }
      last = { status: res.statusCode, body, what: `still starting (HTTP 503 ${summarise(body)})` };
      if (retryAfter !== undefined) wait = Math.min(Math.max(o.intervalMs, retryAfter), 5000);
    } catch (err) {
      if (o.signal.aborted) break;
      const c = classifyError(err);
      last = { what: `${c.what} at ${o.url}` };
      if (c.retry === 'no') return { ready: false, cause: c.cause, polls, waitedMs: elapsed(), message: last.what };
      if (c.retry === 'grace') {
        firstRefusal ??= Date.now();
        if (Date.now() - firstRefusal >= o.refusedGraceMs) return { ready: false, cause: c.cause, polls, waitedMs: elapsed(), message: last.what };
        wait = Math.min(wait, 200, o.refusedGraceMs - (Date.now() - firstRefusal));
      } else firstRefusal = undefined;
    }
    if (elapsed() + wait >= o.timeoutMs) {
      return { ready: false, cause: 'timeout', polls, waitedMs: elapsed(), status: last.status, body: last.body, message: `not ready after ${Math.round(o.timeoutMs / 1000)}s: ${last.what}` };
    }
    await sleep(wait, o.signal);
  }
  return { ready: false, cause: 'aborted', polls, waitedMs: elapsed(), message: `readiness wait aborted: ${last.what}` };
}

function summarise(body: unknown): string {
  return (typeof body === 'string' ? body : JSON.stringify(body)).slice(0, 300);
}
