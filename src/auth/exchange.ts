import type { Redactor } from '../core/redact.ts';
import type { Evidence } from '../core/types.ts';
import { readableText } from './html.ts';
import type { Jar, Send, SendRequest, SendResponse } from './session.ts';

// The requests of a sign-in as a browser makes them: one cookie jar, each
// redirect followed on the same origin only (GET after 301/302/303, method and
// body kept on 307/308), every hop kept as redacted evidence.

export interface Hop {
  req: SendRequest;
  res: SendResponse;
}

export interface Walk {
  hops: Hop[];
  /** The last answer and the URL that gave it. */
  final: SendResponse;
  url: string;
}

const MAX_HOPS = 6;

export async function walk(send: Send, jar: Jar, first: SendRequest, signal: AbortSignal, timeoutMs: number, onCookie?: (name: string, value: string) => void): Promise<Walk> {
  const hops: Hop[] = [];
  let req: SendRequest = first;
  for (let i = 0; ; i++) {
    const cookie = jar.header(req.url);
    const sent: SendRequest = { ...req, headers: { ...req.headers, ...(cookie ? { cookie } : {}) } };
    const res = await send(sent, signal, timeoutMs);
    hops.push({ req: sent, res });
    for (const c of jar.store(req.url, res.headers['set-cookie'])) onCookie?.(c.name, c.value);
    const location = res.headers.location?.[0];
    if (!location || res.status < 300 || res.status >= 400 || i >= MAX_HOPS) return { hops, final: res, url: req.url };
    const next = new URL(location, req.url);
    // Off-origin redirects are the answer (an identity provider needs the browser login).
    if (next.origin !== new URL(req.url).origin) return { hops, final: res, url: req.url };
    const keep = res.status === 307 || res.status === 308;
    const { 'content-type': _type, ...rest } = req.headers;
    req = keep ? { ...req, url: next.toString() } : { method: 'GET', url: next.toString(), headers: rest };
  }
}

/** Redacted evidence of one exchange: status, headers and the readable text of the body. */
export function exchangeEvidence(r: Redactor, label: string, req: SendRequest, res: SendResponse | undefined, blank: (body: string) => string): Evidence {
  return {
    kind: 'http',
    label,
    url: r.url(req.url),
    data: {
      request: { method: req.method, url: r.url(req.url), headers: r.headers(req.headers), ...(req.body !== undefined ? { body: cut(r.text(blank(req.body)), 2000) } : {}) },
      response: res
        ? {
            status: res.status,
            headers: r.headers(Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, v.length === 1 ? v[0] : v]))),
            // Redact the whole text first, then cut: a secret at the edge is never half-kept.
            bodyExcerpt: cut(r.text(blank(readableText(res.body))), 1000),
          }
        : null,
    },
  };
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
