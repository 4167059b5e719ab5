import { describe, expect, it } from 'vitest';
import { hashPassword, LoginLimiter, safeReturnTo, verifyPassword } from './auth.ts';

describe('safeReturnTo', () => {
  it.each([
    ['/projects', '/projects'],
    ['/projects/3?tab=render#top', '/projects/3?tab=render#top'],
    ['/admin/flags', '/admin/flags'],
  ])('keeps the same-origin path %s', (input, out) => {
    expect(safeReturnTo(input)).toBe(out);
  });

  it.each(['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', 'projects', '', '/\tevil', '/%0d%0aSet-Cookie:x=1'.replace('%0d%0a', '\r\n'), 42, undefined])('rejects %j', (input) => {
    expect(safeReturnTo(input)).toBeUndefined();
  });
});

describe('LoginLimiter', () => {
  it('blocks a username after 5 failures inside the window, per username, until the window passes', () => {
    const l = new LoginLimiter(5, 60_000);
    const t = 1_000_000;
    for (let i = 0; i < 5; i++) {
      expect(l.retryAfter('a@x', t + i)).toBe(0);
      l.fail('a@x', t + i);
    }
    expect(l.retryAfter('A@X', t + 10)).toBeGreaterThan(0);
    expect(l.retryAfter('b@x', t + 10)).toBe(0);
    expect(l.retryAfter('a@x', t + 60_005)).toBe(0);
  });

  it('forgets failures after a successful login', () => {
    const l = new LoginLimiter(2, 60_000);
    l.fail('a', 1);
    l.reset('a');
    l.fail('a', 2);
    expect(l.retryAfter('a', 3)).toBe(0);
  });
});

describe('scrypt password hashes', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const [h1, h2] = await Promise.all([hashPassword('s3cret-pw'), hashPassword('s3cret-pw')]);
    expect(h1).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(h1).not.toBe(h2);
    expect(await verifyPassword('s3cret-pw', h1)).toBe(true);
    expect(await verifyPassword('s3cret-pX', h1)).toBe(false);
    expect(await verifyPassword('s3cret-pw', 'plain')).toBe(false);
  });
});
