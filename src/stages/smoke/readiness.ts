import { errorMessage } from '../../core/errors.ts';
import { evaluate, type ResponseExpect, type StatusSpec } from '../../http/expect.ts';
import { send } from '../../http/send.ts';
import type { Dispatcher } from 'undici';

// A deploy that is still warming up is not a failed deploy: poll the health
// endpoint while it answers what the target's config calls "warming" (by
// default 502/503/504 or Retry-After), up to a bound. Only what the config
// calls "ready" (by default any 2xx) passes; anything else — a 500, a 404, a
// target that cannot be reached or says it is down — fails at once.

export interface HealthSpec {
  /** What a ready answer looks like (default any 2xx). */
  ready: ResponseExpect;
  /** Answers retried until the timeout (default 502/503/504, or any 5xx/429 with Retry-After). */
  warming: ResponseExpect & { retryAfter?: boolean };
  /** Answers that fail at once (optional). */
  down?: ResponseExpect;
}

export const DEFAULT_HEALTH: HealthSpec = { ready: {}, warming: { status: [502, 503, 504], retryAfter: true } };

export interface ReadinessOptions {
  url: string;
  timeoutMs: number;
  intervalMs: number;
  /** Connection refused is retried only this long (a port may open a moment late). */
  refusedGraceMs: number;
  signal: AbortSignal;
  /** The run's transport (a private CA it trusts). */
  dispatcher?: Dispatcher | undefined;
  health?: HealthSpec;
  /** One poll's own bound (default: min(5 s, what is left), at least 500 ms). */
  attemptTimeoutMs?: number;
  /** Extra request headers (e.g. a role's Authorization for a protected health endpoint). */
  headers?: Record<string, string>;
}

export type ReadinessCause = 'refused' | 'dns' | 'tls' | 'down' | 'unhealthy' | 'timeout' | 'network' | 'aborted';

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

const ANY_STATUS: StatusSpec = ['1xx', '2xx', '3xx', '4xx', '5xx'];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: unknown;
  url: string;
  note?: string;
}

/** GET, following redirects on the same origin only (a hand-off to another host is the answer). */
async function poll(url: string, o: ReadinessOptions, timeoutMs: number): Promise<Answer> {
  const r = await send({
    method: 'GET',
    url,
    headers: { accept: 'application/json, text/html;q=0.9, */*;q=0.5', ...o.headers },
    timeoutMs,
    signal: o.signal,
    followRedirects: true,
    maxBodyBytes: 64 * 1024,
    dispatcher: o.dispatcher,
  });
  let body: unknown = r.body.slice(0, 2000);
  try {
    body = JSON.parse(r.body);
  } catch {
    /* not JSON: keep the text */
  }
  const location = r.headers.location;
  const answer: Answer = { status: r.status, headers: r.headers, text: r.body, body, url: r.url };
  if (typeof location === 'string' && r.status >= 300 && r.status < 400) answer.note = `redirects to ${new URL(location, r.url).origin}`;
  return answer;
}

export async function waitForReadiness(o: ReadinessOptions): Promise<Readiness> {
  const health = o.health ?? DEFAULT_HEALTH;
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
      const a = await poll(o.url, o, o.attemptTimeoutMs ?? Math.max(500, Math.min(5000, remaining)));
      firstRefusal = undefined;
      const answer = { status: a.status, headers: a.headers, body: a.text };
      const at = a.url === o.url ? o.url : `${o.url} (→ ${a.url})`;
      if (health.down && evaluate(health.down, answer, ANY_STATUS).length === 0) {
        return { ready: false, cause: 'down', polls, waitedMs: elapsed(), status: a.status, body: a.body, message: `health at ${at} says down (HTTP ${a.status}): ${summarise(a.body)}` };
      }
      const unmet = evaluate(health.ready, answer);
      if (unmet.length === 0) {
        const note = a.note ?? (a.status >= 200 && a.status < 300 ? undefined : `health answered HTTP ${a.status}`);
        return { ready: true, polls, waitedMs: elapsed(), status: a.status, body: a.body, ...(note ? { note } : {}) };
      }
      const retryAfter = retryAfterMs(a.headers['retry-after']);
      const { retryAfter: honourRetryAfter = true, ...warmingExpect } = health.warming;
      const warming =
        evaluate(warmingExpect, answer, [503]).length === 0 || (honourRetryAfter && retryAfter !== undefined && (a.status >= 500 || a.status === 429));
      if (!warming) {
        return {
          ready: false,
          cause: 'unhealthy',
          polls,
          waitedMs: elapsed(),
          status: a.status,
          body: a.body,
          message: `health at ${at} is not ready: ${unmet.join('; ')}: ${summarise(a.body)}`,
        };
      }
      last = { status: a.status, body: a.body, what: `still starting (HTTP ${a.status} ${summarise(a.body)})` };
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
