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

  // Issue 13 item 10: encodings of a secret that a command or a URL can produce.
  const canary = 'canary-S3cret/Tok+en?v=12'; // 25 bytes: its base64 is padded
  const c = new Redactor([['CANARY', canary]]);
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const b64url = (s: string) => Buffer.from(s).toString('base64url');
  it.each([
    ['base64 with a trailing newline (echo secret | base64)', `out: ${b64(`${canary}\n`)}`],
    ['base64 of user:secret (Basic credentials)', `creds ${b64(`deploy:${canary}`)}`],
    ['base64 of the secret inside a longer text', `blob ${b64(`{"token":"${canary}","n":1}`)}`],
    ['base64url', `jwt-ish ${b64url(canary)}`],
    ['base64url of the secret inside a longer text', `state=${b64url(`x${canary}\n`)}`],
    ['URL-encoded (encodeURIComponent)', `next=${encodeURIComponent(canary)}`],
    ['URL-encoded, lower-case escapes', `next=${encodeURIComponent(canary).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`],
    ['URL-encoded (encodeURI)', `https://x.test/cb/${encodeURI(canary)}`],
    ['form-encoded', `a=1&${new URLSearchParams({ p: canary }).toString()}`],
    ['hex', `dump ${Buffer.from(canary).toString('hex')}`],
    ['hex, upper case', `dump ${Buffer.from(canary).toString('hex').toUpperCase()}`],
    ['as URL userinfo password', `https://deploy:${encodeURIComponent(canary)}@git.example.test/repo.git`],
    ['in a #fragment', `https://x.test/cb#state=1&k=${encodeURIComponent(canary)}`],
  ])('a registered secret %s', (_name, input) => {
    const out = c.text(input);
    expect(out).toContain('REDACTED');
    for (const leak of [canary, encodeURIComponent(canary), b64(canary).slice(4, 20), b64url(canary).slice(4, 20), Buffer.from(canary).toString('hex').slice(0, 16)]) {
      expect(out.toLowerCase()).not.toContain(leak.toLowerCase());
    }
  });

  it.each([
    ['a token as the URL username', 'https://ghp_unregisteredTok3n0123@github.example.test/org/repo.git', 'ghp_unregisteredTok3n0123'],
    ['a token as userinfo with a password', 'https://x-access-token:ghs_unregistered0123456@github.example.test/o/r', 'ghs_unregistered0123456'],
    ['an access token in a #fragment', 'https://app.test/callback#access_token=eyUnregistered0123&token_type=bearer', 'eyUnregistered0123'],
    ['an id token after other fragment params', 'https://app.test/cb#state=abc&id_token=eyUnregistered4567', 'eyUnregistered4567'],
  ])('an unregistered secret shape: %s', (_name, input, secret) => {
    const out = new Redactor().text(input);
    expect(out).not.toContain(secret);
    expect(out).toContain('REDACTED');
  });

  it('leaves ordinary URLs with a user name and fragments alone where nothing is secret', () => {
    const n = new Redactor([['CANARY', canary]]);
    expect(n.text('see https://docs.example.test/guide#install-steps and mailto:ops@example.test')).toBe('see https://docs.example.test/guide#install-steps and mailto:ops@example.test');
  });
});
