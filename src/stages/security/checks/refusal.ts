import { firstHeader, type ProbeResponse } from '../../../http/probe-client.ts';

// Whether the application processed a probe at all. An answer that refuses the
// request before the application looked at it — a CSRF rejection, a redirect to
// the login page, a session that was not accepted — says nothing about what the
// probe tests: such a probe is not evidence, and a check made only of such
// probes is skipped or errored with the reason, never passed.

/** Words frameworks use when they reject a request for a missing or bad CSRF token. */
const CSRF_WORDS = /csrf|xsrf|forgery|authenticity[ _-]?token|token mismatch|page expired|invalid (?:request )?token|missing (?:request )?token/i;

/** Paths of login pages of the common frameworks and identity providers. */
const LOGIN_PATH = /(?:^|\/)(?:log-?in|sign-?in|signin|logon|auth(?:enticate|orize)?|sso|saml|cas|oauth2?|openid-connect|accounts?\/login|users\/sign_in|session(?:s\/new)?)(?:\/|\.|$)/i;

/** "refused for a missing or invalid CSRF token (HTTP 403 …)", or undefined. */
export function csrfRefusal(res: ProbeResponse): string | undefined {
  if (res.status === 419) return 'refused as an expired page (HTTP 419: a missing or stale CSRF token)';
  if (res.status !== 400 && res.status !== 403) return undefined;
  const m = CSRF_WORDS.exec(res.body.slice(0, 64 * 1024));
  return m ? `refused for a missing or invalid CSRF token (HTTP ${res.status}, the answer says "${m[0]}")` : undefined;
}

/** True when `path` looks like a login page, or is one of `loginPaths`. */
export function isLoginPath(path: string, loginPaths: string[] = []): boolean {
  return loginPaths.some((p) => path === p || path.startsWith(`${p}/`)) || LOGIN_PATH.test(path);
}

/** "redirected to the login page (302 → /login)", or undefined. */
export function loginRedirect(res: ProbeResponse, requestUrl: string, loginPaths: string[] = []): string | undefined {
  if (res.status < 300 || res.status >= 400) return undefined;
  const loc = firstHeader(res, 'location');
  if (!loc) return undefined;
  let to: URL;
  try {
    to = new URL(loc, requestUrl);
  } catch {
    return undefined;
  }
  return isLoginPath(to.pathname, loginPaths) ? `redirected to the login page (${res.status} → ${to.pathname})` : undefined;
}

/** Whether the body holds a form with a password field (a login form). */
export function hasPasswordForm(body: string): boolean {
  return /<input\b[^>]*\btype\s*=\s*["']?password\b/i.test(body.slice(0, 256 * 1024));
}

export interface RefusalOptions {
  /** The request was sent with a role's session: 401 means the session was not accepted. */
  signedIn?: boolean;
  /** Login pages the config names (besides the usual names). */
  loginPaths?: string[];
}

/**
 * Why the application did not process this probe, or undefined when it did:
 * a CSRF rejection, a redirect to the login page, or (for a signed-in request)
 * a 401/407 that says the session was not accepted.
 */
export function notProcessed(res: ProbeResponse, requestUrl: string, o: RefusalOptions = {}): string | undefined {
  const csrf = csrfRefusal(res);
  if (csrf) return csrf;
  const login = loginRedirect(res, requestUrl, o.loginPaths);
  if (login) return login;
  if (o.signedIn && (res.status === 401 || res.status === 407)) return `the session was not accepted (HTTP ${res.status})`;
  return undefined;
}

/** A refusal of anonymous requests (401/403/407, or a redirect to the login page), or undefined. */
export function anonymousRefusal(res: ProbeResponse, requestUrl: string, loginPaths: string[] = []): string | undefined {
  if (res.status === 401 || res.status === 403 || res.status === 407) return `HTTP ${res.status}`;
  return loginRedirect(res, requestUrl, loginPaths) ?? csrfRefusal(res);
}
