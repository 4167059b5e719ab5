import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { base64Forms, findSecrets, JWT_PATTERN } from './scan-secrets.ts';

// The secret scan finds a secret however a run folder could carry it.

const SECRET = 'Canary pw/+=&9';
const dir = mkdtempSync(join(tmpdir(), 'pdv-scan-test-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('findSecrets', () => {
  it.each([
    ['plain', `password=${SECRET}`],
    ['URL-encoded', `password=${encodeURIComponent(SECRET)}`],
    ['form-encoded (spaces as +)', `user=ada&password=${new URLSearchParams({ p: SECRET }).toString().slice(2)}`],
    ['base64 alone', Buffer.from(SECRET).toString('base64')],
    ['inside basic auth', `authorization: Basic ${Buffer.from(`ada:${SECRET}`).toString('base64')}`],
    ['inside a base64 body, offset 2', Buffer.from(`{"p":"${SECRET}"}`).toString('base64')],
  ])('finds it %s', async (name, text) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.txt`);
    writeFileSync(file, `before ${text} after`);
    const { hits } = await findSecrets(dir, [SECRET]);
    await rm(file);
    expect(hits).toEqual([expect.stringContaining(SECRET)]);
  });

  it('looks inside zip archives (traces) and reports a pattern hit without the whole token', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiZm9ydW1fcGVyc29uIn0.c2lnbmF0dXJlLWJ5dGVz';
    writeFileSync(join(dir, 'trace.zip'), zipSync({ 'trace.network': new TextEncoder().encode(`authorization: Bearer ${jwt}`) }));
    const { hits, zipsScanned } = await findSecrets(dir, [], [JWT_PATTERN]);
    await rm(join(dir, 'trace.zip'));
    expect(zipsScanned).toBe(1);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toContain('trace.zip!trace.network');
    expect(hits[0]).not.toContain(jwt);
  });

  it('finds nothing in a redacted file', async () => {
    writeFileSync(join(dir, 'clean.txt'), 'authorization: [REDACTED] password=[REDACTED]');
    expect((await findSecrets(dir, [SECRET], [JWT_PATTERN])).hits).toEqual([]);
  });

  it('base64Forms: every alignment of a secret inside a longer text', () => {
    for (const lead of ['', 'a', 'ab', 'abc']) {
      for (const tail of ['', 'x', 'xy']) {
        const enc = Buffer.from(`${lead}${SECRET}${tail}`).toString('base64');
        expect(base64Forms(SECRET).some((f) => enc.includes(f)), `${lead}|${tail}`).toBe(true);
      }
    }
  });
});
