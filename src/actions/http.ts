import { errorMessage } from '../core/errors.ts';
import { isTransientStatus, parseRetryAfter, type AttemptOutcome } from './retry.ts';

// One HTTP attempt as an AttemptOutcome. The caller passes a display name
// for the endpoint: the URL itself may be a secret (Slack, webhooks).

export interface HttpAttempt {
  url: string;
  /** What the record says instead of the URL. */
  display: string;
  method?: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Extra rule for "try again" (e.g. GitHub's 403 when rate limited). */
  transient?: (res: Response) => boolean;
}

export async function httpAttempt(req: HttpAttempt): Promise<AttemptOutcome> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(req.url, { method: req.method ?? 'POST', headers: req.headers, body: req.body, signal, redirect: 'manual' });
  } catch (err) {
    if (timeout.aborted) return { ok: false, transient: true, message: `${req.display}: no answer within ${req.timeoutMs} ms` };
    if (req.signal?.aborted) return { ok: false, transient: false, message: `${req.display}: aborted` };
    return { ok: false, transient: true, message: `${req.display}: ${errorMessage(err)}` };
  }
  // Read a little of the body for the record; never the whole of it.
  let text = '';
  try {
    text = (await res.text()).slice(0, 300);
  } catch {
    /* the status is what matters */
  }
  const detail = text ? ` — ${text.replace(/\s+/g, ' ').trim()}` : '';
  if (res.status >= 200 && res.status < 300) return { ok: true, message: `${req.display}: HTTP ${res.status}`, data: { status: res.status } };
  const transient = isTransientStatus(res.status) || (req.transient?.(res) ?? false);
  return {
    ok: false,
    transient,
    message: `${req.display}: HTTP ${res.status}${detail}`,
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    data: { status: res.status },
  };
}
