import type { Authenticator } from '../../../auth/index.ts';
import type { Evidence } from '../../../core/types.ts';
import type { SecurityRun } from '../run-context.ts';

// The security stage's view of the shared login module (src/auth/): one
// sign-in per role, with what the access table and the cookie check need.

export interface Session {
  role: string;
  /** Headers that make a request this role's. */
  headers: Record<string, string>;
  /** The same for one URL: cookies by their Domain/Path/Secure rules. */
  headersFor: (url: string) => Record<string, string>;
  token?: string;
  userId?: string;
  /** Set-Cookie values of the login answer (empty for pre-issued tokens or cookies). */
  setCookies: string[];
  /** The application answered `auth.verify` as this role: a 401 to it is a permission answer, not a lost session. */
  verified: boolean;
  /** Whether a login request was made (the session-cookie check looks only at those). */
  loggedIn: boolean;
  evidence: Evidence[];
  error?: string;
}

export class Logins {
  private readonly auth: Authenticator;
  constructor(run: SecurityRun) {
    this.auth = run.auth;
  }

  async get(role: string): Promise<Session> {
    const s = await this.auth.session(role);
    if (!s.ok) return { role, headers: {}, headersFor: () => ({}), setCookies: [], verified: false, loggedIn: false, evidence: s.evidence, error: s.message };
    return {
      role,
      headers: s.headers,
      headersFor: s.headersFor,
      verified: s.verified === true,
      ...(s.token ? { token: s.token } : {}),
      ...(s.userId ? { userId: s.userId } : {}),
      setCookies: s.setCookies,
      loggedIn: s.how === 'login' || s.how === 'browser',
      evidence: s.evidence,
    };
  }

  /** Configured roles. */
  available(): string[] {
    return this.auth.roles();
  }
}
