import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number }) => Promise<Buffer>;

export type Role = 'viewer' | 'editor' | 'admin';
export interface SessionUser { id: number; email: string; role: Role }

const N = 16384;
const R = 8;
const P = 1;

/** `scrypt$N$r$p$salt$hash` (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [algo, n, r, p, salt, hash] = stored.split('$');
  if (algo !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const got = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

const SESSION_TTL_MS = 8 * 3600_000;

/** In-memory sessions: the token is both the Bearer token and the sid cookie value. */
export class Sessions {
  private readonly byToken = new Map<string, { user: SessionUser; expiresAt: number }>();

  create(user: SessionUser): string {
    const token = randomSecret(32);
    this.byToken.set(token, { user, expiresAt: Date.now() + SESSION_TTL_MS });
    return token;
  }

  get(token: string | undefined): SessionUser | undefined {
    if (!token) return undefined;
    const s = this.byToken.get(token);
    if (!s) return undefined;
    if (s.expiresAt < Date.now()) {
      this.byToken.delete(token);
      return undefined;
    }
    return s.user;
  }

  destroy(token: string | undefined): void {
    if (token) this.byToken.delete(token);
  }
}

/** Failed logins per username in a sliding window; blocked once `max` failures are recorded. */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  constructor(private readonly max = 5, private readonly windowMs = 60_000) {}

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    this.failures.set(key, list);
    return list;
  }

  /** Seconds until the next attempt is allowed, or 0 when allowed now. */
  retryAfter(username: string, now = Date.now()): number {
    const list = this.recent(username.toLowerCase(), now);
    if (list.length < this.max) return 0;
    const oldest = list[list.length - this.max] ?? now;
    return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
  }

  fail(username: string, now = Date.now()): void {
    this.recent(username.toLowerCase(), now).push(now);
  }

  reset(username: string): void {
    this.failures.delete(username.toLowerCase());
  }
}

/** Same-origin relative path only (`/x`, not `//host`, `/\host` or absolute URLs). */
export function safeReturnTo(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c === '\\')) return undefined;
  try {
    const u = new URL(value, 'http://demo.invalid');
    return u.origin === 'http://demo.invalid' ? u.pathname + u.search + u.hash : undefined;
  } catch {
    return undefined;
  }
}
