import { request, type Dispatcher } from 'undici';
import { attemptSignal } from './timeout.ts';

// The one plain HTTP exchange pdv's stages make against the target: bounded
// per attempt, the body cut to a size that matches content but never
// downloads, redirects followed only on the same origin and only when asked.

export interface Exchange {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal: AbortSignal;
  followRedirects?: boolean;
  maxBodyBytes?: number;
  /** The run's transport (a private CA it trusts: http/tls.ts); undici's default without one. */
  dispatcher?: Dispatcher | undefined;
}

export interface Reply {
  status: number;
  /** Lower-case names; repeated headers kept as arrays. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The URL that gave this answer (after same-origin redirects). */
  url: string;
  durationMs: number;
}

export class AttemptTimeoutError extends Error {
  override readonly name = 'AttemptTimeoutError';
  readonly code = 'PDV_ATTEMPT_TIMEOUT';
}

export async function send(x: Exchange): Promise<Reply> {
  const started = performance.now();
  const attempt = attemptSignal(x.signal, x.timeoutMs);
  try {
    let url = x.url;
    for (let hop = 0; ; hop++) {
      const res = await request(url, {
        method: x.method as 'GET',
        headers: x.headers ?? {},
        ...(x.body !== undefined && hop === 0 ? { body: x.body } : {}),
        signal: attempt.signal,
        headersTimeout: x.timeoutMs,
        bodyTimeout: x.timeoutMs,
        ...(x.dispatcher ? { dispatcher: x.dispatcher } : {}),
      });
      const location = res.headers.location;
      if (x.followRedirects && typeof location === 'string' && res.statusCode >= 300 && res.statusCode < 400 && hop < 5) {
        const next = new URL(location, url);
        if (next.origin === new URL(url).origin) {
          await res.body.dump();
          url = next.toString();
          continue;
        }
      }
      const body = await readCapped(res.body, x.maxBodyBytes ?? 256 * 1024);
      return { status: res.statusCode, headers: res.headers, body, url, durationMs: performance.now() - started };
    }
  } catch (err) {
    if (attempt.timedOut() && !x.signal.aborted) throw new AttemptTimeoutError(`no answer within ${x.timeoutMs} ms`);
    throw err;
  } finally {
    attempt.clear();
  }
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy?: () => void }, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk.subarray(0, Math.max(0, max - size)));
    size += chunk.length;
    if (size >= max) {
      body.destroy?.();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}
