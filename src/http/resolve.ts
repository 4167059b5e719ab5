import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { UsageError } from '../core/errors.ts';

// A host name that does not resolve is the harness's fault (a typo in the
// config, the runner's resolver), never evidence against the target: known
// before the run it is a usage error (exit 3, nothing sent); met mid-run it
// makes the check errored (→ hold), never failed (→ rollback).

const RESOLVE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);

/** Whether an error (or one of its causes) is a failure to resolve a host name. */
export function isResolveFailure(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && RESOLVE_CODES.has(code)) return true;
  }
  return false;
}

export type Lookup = (host: string) => Promise<unknown>;

/** Resolve each configured URL's host before any traffic; the first that does not resolve is a usage error naming where it was configured. */
export async function refuseUnresolvable(urls: Array<{ url: string; where: string }>, lookup: Lookup = (h) => dnsLookup(h), timeoutMs = 10_000): Promise<void> {
  const seen = new Set<string>();
  for (const { url, where } of urls) {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) || seen.has(host)) continue;
    seen.add(host);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'EAI_AGAIN' })), timeoutMs);
    });
    try {
      await Promise.race([lookup(host), bound]);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'error';
      throw new UsageError(`host ${host} does not resolve (${code}): check the URL and this machine's resolver; nothing was sent`, where);
    } finally {
      clearTimeout(timer);
    }
  }
}
