import { describe, expect, it } from 'vitest';
import { fingerprint, normaliseMessage } from './normalise.ts';
import { newSignatures } from './signatures.ts';

describe('normaliseMessage', () => {
  it.each([
    ['user 123 not found', 'user <n> not found'],
    ['utf8 decode failed in s3 client, 3 retries', 'utf8 decode failed in s3 client, <n> retries'],
    ['render 9f1c2d3e4b5a6978 failed after 1.5s', 'render <hex> failed after <n>s'],
    ['job 3fa85f64-5717-4562-b3fc-2c963f66afa6 stuck', 'job <uuid> stuck'],
    ['pointer 0xDEADBEEF freed twice', 'pointer <hex> freed twice'],
    [`key "projects:42" missing`, 'key <str> missing'],
    [`cannot open '/var/lib/app/cache/7.bin'`, 'cannot open <str>'],
    ['ENOENT: no such file /srv/app/uploads/a1/b2.png', 'ENOENT: no such file <path>'],
    ['upstream http://10.0.0.7:8080/api/v1/items?id=7 timed out', 'upstream <url> timed out'],
    ['connect ECONNREFUSED 10.1.2.3:5432', 'connect ECONNREFUSED <ip>'],
    ['token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9 rejected', 'token <id> rejected'],
    ['TypeError: x is undefined\n    at foo (/app/a.js:1:2)', 'TypeError: x is undefined'],
  ])('%j → %j', (input, want) => {
    expect(normaliseMessage(input)).toBe(want);
  });

  it('gives variants one fingerprint and different errors different ones', () => {
    expect(fingerprint(normaliseMessage('user 1 not found'))).toBe(fingerprint(normaliseMessage('user 99 not found')));
    expect(fingerprint(normaliseMessage('user 1 not found'))).not.toBe(fingerprint(normaliseMessage('project 1 not found')));
  });
});

describe('newSignatures', () => {
  const at = (t: number, message: string) => ({ time: t, message });
  it('fails only signatures absent before and at/above the threshold, most frequent first', () => {
    const before = [at(1, 'user 1 not found'), at(2, 'db timeout after 30 ms')];
    const after = [
      ...Array.from({ length: 6 }, (_, i) => at(10 + i, `render ${i} crashed: out of memory`)),
      ...Array.from({ length: 5 }, (_, i) => at(20 + i, `queue "q${i}" unavailable`)),
      at(30, 'user 7 not found'),
      at(31, 'disk full on /dev/sda1/x'),
    ];
    const out = newSignatures(before, after, 5);
    expect(out.failing.map((s) => [s.signature, s.count])).toEqual([
      ['render <n> crashed: out of memory', 6],
      ['queue <str> unavailable', 5],
    ]);
    expect(out.failing[0]?.example).toBe('render 0 crashed: out of memory');
    expect(out.belowThreshold.map((s) => s.signature)).toEqual(['disk full on <path>']);
  });
});
