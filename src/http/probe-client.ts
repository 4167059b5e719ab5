import http from 'node:http';
import https from 'node:https';
import { rootCertificates, type TLSSocket } from 'node:tls';
import type { Evidence } from '../core/types.ts';
import type { Redactor } from '../core/redact.ts';
import { OffTargetError } from './on-target.ts';
import { attemptSignal } from './timeout.ts';

export { OffTargetError };

// One request at a time, no redirects followed, no connection reuse: each
// probe sees exactly what the server answered to exactly what was sent, and
// every request counts against the stage's traffic budget. Each exchange is
// bounded twice: an idle limit (socket timeout) and a total deadline, so a
// server that trickles a byte every few seconds cannot hold the stage.

export interface ProbeRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface ProbeResponse {
  url: string;
  status: number;
  /** Lower-case names; every value kept (Set-Cookie can repeat). */
  headers: Record<string, string[]>;
  /** The body decoded as UTF-8 (cut at `maxBodyBytes`). */
  body: string;
  /** The body's bytes as received (cut at `maxBodyBytes`): for format magic at byte offsets. */
  raw?: Buffer;
  /** https only: the certificate chain verified against the trust store (system roots + configured CA). */
  verified?: boolean;
}

export interface HttpClientOptions {
  /** Extra trusted CA certificates (PEM), e.g. the self-signed test CA of a staging stand. */
  ca?: string[];
  timeoutMs: number;
  signal: AbortSignal;
  /** Bodies are cut at this many bytes: enough to match content, never a download. */
  maxBodyBytes?: number;
  /** Maximum number of requests for the whole stage. */
  budget: RequestBudget;
  /** Where requests may go (src/http/on-target.ts); a URL off it is refused with OffTargetError, unsent. */
  allowedUrl?: (url: string) => boolean;
  /** Deadline for the whole exchange (connect, headers, body); default `timeoutMs`, which is also the idle limit. */
  totalTimeoutMs?: number;
}

export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
}

export class RequestBudget {
  used = 0;
  constructor(readonly limit: number) {}
  take(): void {
    if (this.used >= this.limit) throw new BudgetExceededError(`request budget of ${this.limit} exhausted`);
    this.used += 1;
  }
}

export type HttpClient = (req: ProbeRequest) => Promise<ProbeResponse>;

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const maxBody = opts.maxBodyBytes ?? 256 * 1024;
  // Node replaces the system roots when `ca` is given: keep both.
  const ca = opts.ca?.length ? [...rootCertificates, ...opts.ca] : undefined;
  const total = opts.totalTimeoutMs ?? opts.timeoutMs;
  return async (req) => {
    if (opts.allowedUrl && !opts.allowedUrl(req.url)) throw new OffTargetError(req.url);
    opts.budget.take();
    const attempt = attemptSignal(opts.signal, total);
    try {
      return await exchange(req, { ...opts, signal: attempt.signal }, maxBody, ca);
    } catch (err) {
      if (attempt.timedOut() && !opts.signal.aborted) throw new Error(`no complete answer within ${total} ms`);
      throw err;
    } finally {
      attempt.clear();
    }
  };
}

function exchange(req: ProbeRequest, opts: HttpClientOptions, maxBody: number, ca: string[] | undefined): Promise<ProbeResponse> {
  return new Promise<ProbeResponse>((resolve, reject) => {
      const url = new URL(req.url);
      const isHttps = url.protocol === 'https:';
      const headers: Record<string, string> = { 'user-agent': 'pdv-security/1', accept: '*/*', ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      const base = {
        method: req.method ?? 'GET',
        headers,
        agent: false as const,
        signal: opts.signal,
        timeout: opts.timeoutMs,
      };
      const onResponse = (res: http.IncomingMessage): void => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < maxBody) chunks.push(c.subarray(0, maxBody - size));
          size += c.length;
          if (size >= maxBody) res.destroy();
        });
        const finish = (): void => {
          // Cut short by the deadline or the run: a partial body is no answer.
          if (opts.signal.aborted) return reject(opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
          const out: Record<string, string[]> = {};
          const names = res.rawHeaders;
          for (let i = 0; i + 1 < names.length; i += 2) {
            const name = (names[i] ?? '').toLowerCase();
            (out[name] ??= []).push(names[i + 1] ?? '');
          }
          const socket = res.socket as TLSSocket | null;
          const raw = Buffer.concat(chunks);
          resolve({
            url: req.url,
            status: res.statusCode ?? 0,
            headers: out,
            body: raw.toString('utf8'),
            raw,
            ...(isHttps ? { verified: socket?.authorized === true } : {}),
          });
        };
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', (err) => (size >= maxBody ? finish() : reject(err)));
      };
      const r = isHttps
        ? https.request(url, { ...base, ca, rejectUnauthorized: false }, onResponse)
        : http.request(url, base, onResponse);
      r.on('timeout', () => r.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
      r.on('error', reject);
      r.end(req.body);
    });
}

/** All values of a header, or []. */
export function headerValues(res: ProbeResponse | undefined, name: string): string[] {
  return res?.headers[name.toLowerCase()] ?? [];
}

export function firstHeader(res: ProbeResponse | undefined, name: string): string | undefined {
  return headerValues(res, name)[0];
}

/** Redacted request/response evidence (kind 'http') for verdict.json and the HTML report. */
export function httpEvidence(label: string, req: ProbeRequest, res: ProbeResponse | undefined, redactor: Redactor, bodyChars = 600): Evidence {
  const flat = (h: Record<string, string[]>): Record<string, string> =>
    redactor.headers(Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v.length === 1 ? (v[0] ?? '') : v])));
  return {
    kind: 'http',
    label,
    url: redactor.url(req.url),
    data: {
      request: {
        method: req.method ?? 'GET',
        url: redactor.url(req.url),
        headers: redactor.headers(req.headers ?? {}),
        ...(req.body !== undefined ? { body: redactor.text(redactBody(req.body)) } : {}),
      },
      response: res
        ? { status: res.status, headers: flat(res.headers), bodyExcerpt: redactor.excerpt(res.body, bodyChars) }
        : null,
    },
  };
}

/** Login bodies carry passwords: blank any password-like JSON field before anything else sees it. */
function redactBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) out[k] = /pass|secret|token/i.test(k) ? '[REDACTED]' : v;
      return JSON.stringify(out);
    }
  } catch {
    // not JSON: the redactor's text rules apply
  }
  return body;
}
