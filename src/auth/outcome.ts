import type { Redactor } from '../core/redact.ts';
import { isResolveFailure } from '../http/resolve.ts';
import type { Evidence } from '../core/types.ts';
import type { Jar, LoginFault, Send, StorageState } from './session.ts';

// What each way of signing in hands back to the Authenticator, which adds the
// "who am I" verification and builds the session.

export type Outcome =
  | {
      ok: true;
      /** Headers other than Cookie (Authorization…). */
      fixed: Record<string, string>;
      jar: Jar;
      token?: string;
      userId?: string;
      storageState?: StorageState;
      how: 'login' | 'token' | 'cookie' | 'basic' | 'browser' | 'module';
      /** Set-Cookie values of the answer to the credentials (default: every one the jar saw). */
      setCookies?: string[];
      /** The application answered `auth.verify` as this user. */
      verified?: boolean;
      /** Which rule said "signed in" (absent: only a verify request can tell). */
      decidedBy?: string;
      evidence: Evidence[];
    }
  | { ok: false; message: string; fault: LoginFault; evidence: Evidence[]; status?: number };

export interface LoginInput {
  role: string;
  username: string | undefined;
  password: string | undefined;
  /** The URL login paths resolve against, and the base URL (browser pages). */
  apiUrl: string;
  baseUrl: string;
  rootDir: string;
  send: Send;
  redactor: Redactor;
  signal: AbortSignal;
}

export const refused = (message: string, evidence: Evidence[], status?: number): Outcome => ({ ok: false, fault: 'target', message, evidence, ...(status !== undefined ? { status } : {}) });
/**
 * A sign-in request that got no answer: a host that does not resolve is the runner's or the
 * config's fault (errored, as everywhere in pdv); a refused or reset connection is the target's.
 */
export function unreachable(message: string, err: unknown, evidence: Evidence[]): Outcome {
  const dns = isResolveFailure(err) || /ERR_NAME_NOT_RESOLVED/.test(err instanceof Error ? err.message : String(err));
  return dns ? cannot(`${message} (the host does not resolve: check the URL and the runner's resolver)`, evidence) : refused(message, evidence);
}

export const cannot = (message: string, evidence: Evidence[] = []): Outcome => ({ ok: false, fault: 'harness', message, evidence });
