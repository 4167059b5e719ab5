import { CookieJar } from 'tough-cookie';
import type { Evidence } from '../core/types.ts';
import type { SessionCookie } from './cookies.ts';

// What a sign-in yields, and the cookie jar behind it. A session's cookies
// follow RFC 6265 (tough-cookie): a Secure cookie never goes over plain HTTP,
// Domain and Path are honoured, expired cookies are dropped — for every
// request pdv sends as a role, not only the login's own.

export interface SendRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}
export interface SendResponse {
  status: number;
  /** Lower-case names, every value kept. */
  headers: Record<string, string[]>;
  body: string;
}
export type Send = (req: SendRequest, signal: AbortSignal, timeoutMs: number) => Promise<SendResponse>;

/**
 * Who a failed sign-in is about. `target`: the application refused it (wrong
 * credentials, the login form again, a failed "who am I") — evidence, the
 * login check fails. `harness`: pdv could not perform it (form or selector not
 * found, browser would not start, a module threw, CSRF machinery pdv could not
 * satisfy) — no evidence, the login check is errored.
 */
export type LoginFault = 'target' | 'harness';

/** A Playwright storage state: cookies plus each origin's localStorage. */
export interface StorageState {
  cookies: SessionCookie[];
  origins: Array<{ origin: string; localStorage: Array<{ name: string; value: string }> }>;
}

export type AuthSession =
  | {
      ok: true;
      role: string;
      /** Headers that make a request to the login's own URL this role's (Authorization and/or Cookie). */
      headers: Record<string, string>;
      /** The same for any URL: cookies chosen by the jar's Domain/Path/Secure/expiry rules. */
      headersFor: (url: string) => Record<string, string>;
      token?: string;
      userId?: string;
      /** Cookies of the session (for a browser's storageState). */
      cookies: SessionCookie[];
      /** The browser's whole storage state, when the sign-in ran in a browser or a module gave one. */
      storageState?: StorageState;
      /** Raw Set-Cookie values of the login answers (checked by the session-cookie check). */
      setCookies: string[];
      how: 'login' | 'token' | 'cookie' | 'basic' | 'browser' | 'module';
      /** Which rule said "signed in". */
      decidedBy?: string;
      /** The application answered the configured `verify` request as this user: the session is accepted. */
      verified?: boolean;
      evidence: Evidence[];
      durationMs: number;
    }
  | {
      ok: false;
      role: string;
      message: string;
      fault: LoginFault;
      evidence: Evidence[];
      durationMs: number;
      /** The status the target answered, when it answered. */
      status?: number;
    };

export type SignedIn = Extract<AuthSession, { ok: true }>;

/** A cookie jar for one role's session. */
export class Jar {
  private readonly jar = new CookieJar(undefined, { looseMode: true, allowSpecialUseDomain: true, rejectPublicSuffixes: false });
  readonly setCookies: string[] = [];

  /** Store the Set-Cookie values of an answer from `url`; returns the cookies that were accepted. */
  store(url: string, setCookie: string[] | undefined): Array<{ name: string; value: string }> {
    const out: Array<{ name: string; value: string }> = [];
    for (const raw of setCookie ?? []) {
      this.setCookies.push(raw);
      const c = this.jar.setCookieSync(raw, url, { ignoreError: true });
      if (c) out.push({ name: c.key, value: c.value });
    }
    return out;
  }

  /** Put a cookie given as data (pre-issued, a module's, a browser's). */
  put(c: Partial<SessionCookie> & { name: string; value: string }, url: string): void {
    const u = new URL(url);
    const parts = [`${c.name}=${c.value}`, `Path=${c.path ?? '/'}`];
    // A cookie given with the host it came from is host-only; another domain widens it as a browser would.
    if (c.domain && c.domain.replace(/^\./, '') !== u.hostname) parts.push(`Domain=${c.domain}`);
    if (c.secure) parts.push('Secure');
    if (c.httpOnly) parts.push('HttpOnly');
    if (c.expires !== undefined && c.expires > 0) parts.push(`Expires=${new Date(c.expires * 1000).toUTCString()}`);
    const target = c.domain && c.domain.replace(/^\./, '') !== u.hostname ? `${u.protocol}//${c.domain.replace(/^\./, '')}/` : url;
    this.jar.setCookieSync(parts.join('; '), target, { ignoreError: true });
  }

  /** The Cookie header for a request to `url` (empty when no cookie applies). */
  header(url: string): string {
    return this.jar.getCookieStringSync(url);
  }

  names(): string[] {
    return this.all().map((c) => c.name);
  }

  /** Every cookie, shaped as a browser's storageState wants it. */
  all(): SessionCookie[] {
    const serialized = this.jar.serializeSync();
    return (serialized?.cookies ?? []).map((c): SessionCookie => {
      const expires = c.expires && c.expires !== 'Infinity' ? Math.floor(Date.parse(String(c.expires)) / 1000) : -1;
      const sameSite = String(c.sameSite ?? 'lax').toLowerCase();
      return {
        name: String(c.key ?? ''),
        value: String(c.value ?? ''),
        domain: String(c.domain ?? ''),
        path: String(c.path ?? '/'),
        expires: Number.isFinite(expires) ? expires : -1,
        httpOnly: c.httpOnly === true,
        secure: c.secure === true,
        sameSite: sameSite === 'strict' ? 'Strict' : sameSite === 'none' ? 'None' : 'Lax',
      };
    });
  }

  get size(): number {
    return this.all().length;
  }
}

/** Headers for a URL: the fixed ones (Authorization…) plus the jar's cookies for it. */
export function headersFrom(fixed: Record<string, string>, jar: Jar | undefined): (url: string) => Record<string, string> {
  return (url) => {
    const cookie = jar?.header(url);
    return cookie ? { ...fixed, cookie } : { ...fixed };
  };
}
