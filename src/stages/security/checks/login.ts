import { errorMessage } from '../../../core/errors.ts';
import { httpEvidence, type ProbeRequest, type ProbeResponse } from '../http.ts';
import { joinUrl, type SecurityRun } from '../run-context.ts';
import type { Evidence } from '../../../core/types.ts';

export interface Session {
  role: string;
  token?: string;
  userId?: string;
  setCookies: string[];
  evidence: Evidence;
  error?: string;
}

function pick(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** Logs in once per role (JSON API login) and remembers token, user id and the cookies set. */
export class Logins {
  private readonly cache = new Map<string, Promise<Session>>();
  constructor(private readonly run: SecurityRun) {}

  get(role: string): Promise<Session> {
    let hit = this.cache.get(role);
    if (!hit) {
      hit = this.login(role);
      this.cache.set(role, hit);
    }
    return hit;
  }

  /** Roles whose credentials are configured and whose password is in the environment. */
  available(): string[] {
    return [...this.run.credentials.keys()];
  }

  private async login(role: string): Promise<Session> {
    const a = this.run.config.access;
    const cred = this.run.credentials.get(role);
    const req: ProbeRequest = { method: 'POST', url: joinUrl(this.run.apiUrl, a.loginPath), headers: { 'content-type': 'application/json' } };
    if (!cred) return { role, setCookies: [], evidence: httpEvidence(`login as ${role}`, req, undefined, this.run.redactor), error: `no credentials (or no password in the environment) for role "${role}"` };
    req.body = JSON.stringify({ [a.usernameField]: cred.username, [a.passwordField]: cred.password });
    let res: ProbeResponse | undefined;
    try {
      res = await this.run.client(req);
      const evidence = httpEvidence(`login as ${role}`, req, res, this.run.redactor, 0);
      if (res.status < 200 || res.status >= 300) return { role, setCookies: [], evidence, error: `login as ${role} answered ${res.status}` };
      const json = JSON.parse(res.body) as unknown;
      const token = pick(json, a.tokenField);
      const userId = pick(json, a.userIdField);
      if (typeof token === 'string') this.run.redactor.addSecret(`token:${role}`, token);
      return {
        role,
        ...(typeof token === 'string' ? { token } : {}),
        ...(userId !== undefined && userId !== null ? { userId: String(userId) } : {}),
        setCookies: res.headers['set-cookie'] ?? [],
        evidence,
      };
    } catch (err) {
      return { role, setCookies: [], evidence: httpEvidence(`login as ${role}`, req, res, this.run.redactor, 0), error: `login as ${role}: ${errorMessage(err)}` };
    }
  }
}
