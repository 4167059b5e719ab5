import { describe, expect, it } from 'vitest';
import { Redactor } from './redact.ts';

const r = new Redactor([
  ['DEMO_EDITOR_PASSWORD', 'canary-Pa55word!'],
  ['TOKEN', 'tok_0123456789abcdef'],
]);

describe('Redactor', () => {
  it.each([
    ['plain secret', 'password is canary-Pa55word!', 'canary-Pa55word!'],
    ['url-encoded secret', 'body=password%3Dcanary-Pa55word%21', 'canary-Pa55word%21'],
    ['base64 secret', `basic ${Buffer.from('canary-Pa55word!').toString('base64')}`, Buffer.from('canary-Pa55word!').toString('base64')],
    ['bearer token shape', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def', 'eyJhbGciOiJIUzI1NiJ9'],
    ['token in query', 'GET https://x.test/cb?access_token=abcdef123456&x=1', 'abcdef123456'],
    ['userinfo password', 'postgres://app:s3cretpw@db:5432/app', 's3cretpw'],
    ['cookie header line', 'cookie: sid=abcdef0123456789', 'abcdef0123456789'],
  ])('%s', (_name, input, secret) => {
    const out = r.text(input);
    expect(out).not.toContain(secret);
    expect(out).toContain('REDACTED');
  });

  it('keeps cookie names and attributes in Set-Cookie', () => {
    const h = r.headers({ 'set-cookie': ['sid=abc123def456; Path=/; HttpOnly; Secure', 'theme=dark; Path=/'], 'content-type': 'text/html' });
    expect(h['set-cookie']).toContain('sid=[REDACTED]; Path=/; HttpOnly; Secure');
    expect(h['set-cookie']).not.toContain('abc123def456');
    expect(h['content-type']).toBe('text/html');
  });

  it('deep-redacts values under secret-looking keys and nested strings', () => {
    const out = r.deep({ user: 'editor', password: 'whatever-it-is', nested: [{ note: 'tok_0123456789abcdef' }], count: 3 });
    expect(out).toEqual({ user: 'editor', password: '[REDACTED]', nested: [{ note: '[REDACTED:TOKEN]' }], count: 3 });
  });

  it('leaves ordinary text alone', () => {
    expect(r.text('GET /api/projects?page=2 → 200 in 12 ms')).toBe('GET /api/projects?page=2 → 200 in 12 ms');
  });
});
