import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.ts';
import { securityConfigSchema } from './config.ts';

// Nothing app-specific runs unless the user's config names it: the probes
// that need an endpoint are off until it is set, and asking for one without
// it is a configuration error (exit 3), found before any request.

const parse = (security: Record<string, unknown>) => configSchema.safeParse({ environments: { x: { baseUrl: 'http://127.0.0.1:1' } }, stages: { security } });
const problems = (security: Record<string, unknown>): string[] => {
  const r = parse(security);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('security config defaults name no app', () => {
  it('rate-limit and open-redirect probes are off, CORS probes only /', () => {
    const c = securityConfigSchema.parse({});
    expect(c.rateLimit.enabled).toBe(false);
    expect(c.rateLimit.path).toBeUndefined();
    expect(c.openRedirect.enabled).toBe(false);
    expect(c.openRedirect.path).toBeUndefined();
    expect(c.cors.paths).toEqual(['/']);
  });

  it('setting the endpoint turns a probe on; enabled: false keeps it off', () => {
    expect(securityConfigSchema.parse({ rateLimit: { path: '/auth/sign-in' } }).rateLimit).toMatchObject({ enabled: true, path: '/auth/sign-in', limited: [{ status: [429] }] });
    expect(securityConfigSchema.parse({ rateLimit: { path: '/auth/sign-in', enabled: false } }).rateLimit.enabled).toBe(false);
    expect(securityConfigSchema.parse({ openRedirect: { path: '/signin', param: 'next' } }).openRedirect).toMatchObject({ enabled: true, path: '/signin', param: 'next' });
  });

  it.each([
    ['rate limit enabled without its endpoint', { rateLimit: { enabled: true } }, /stages\.security\.rateLimit\.path: .*required/],
    ['open redirect enabled without its page', { openRedirect: { enabled: true } }, /stages\.security\.openRedirect\.path: .*required/],
    ['open redirect page without its parameter', { openRedirect: { path: '/signin' } }, /stages\.security\.openRedirect\.param: .*required/],
    ['a "limited" body pattern that is no regular expression', { rateLimit: { path: '/login', limited: { body: 'too (many' } } }, /stages\.security\.rateLimit\.limited.*regular expression/],
  ])('%s is a configuration error naming the field', (_label, security, message) => {
    expect(problems(security).map((p) => `stages.security.${p.replace(/^stages\.security\./, '')}`).join('\n')).toMatch(message);
  });
});
