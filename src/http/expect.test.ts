import { describe, expect, it } from 'vitest';
import { evaluate, matcherSchema, responseExpectSchema, statusMatches, valuesAt } from './expect.ts';

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('statusMatches', () => {
  it.each<[unknown, number, boolean]>([
    [undefined, 204, true],
    [undefined, 302, false],
    [undefined, 500, false],
    [200, 200, true],
    [[401, 403], 403, true],
    [[401, 403], 404, false],
    ['3xx', 301, true],
    [[200, '3xx'], 307, true],
  ])('%j vs %i → %s', (spec, code, ok) => {
    expect(statusMatches(spec as never, code)).toBe(ok);
  });
});

describe('evaluate', () => {
  it.each<[string, unknown, ReturnType<typeof answer>, string[]]>([
    ['default: any 2xx', {}, answer(200, {}), []],
    ['a 500 is not ok by default', {}, answer(500, {}), ['HTTP 500, expected 2xx']],
    ['literal JSON field', { json: { status: 'ok' } }, answer(200, { status: 'degraded' }), ['status: is "degraded", expected "ok"']],
    ['missing field', { json: { status: 'ok' } }, answer(200, {}), ['status: missing (expected "ok")']],
    ['wildcard over every dependency', { json: { 'checks.*': 'ok' } }, answer(200, { checks: { db: 'ok', cache: 'down' } }), ['checks.cache: is "down", expected "ok"']],
    ['wildcard over nothing', { json: { 'checks.*': 'ok' } }, answer(200, { checks: {} }), ['checks.*: nothing there']],
    ['not JSON', { json: { a: 1 } }, answer(200, '<html>'), ['the body is not JSON']],
    ['regex and type', { json: { v: { matches: '^\\d+\\.\\d+', type: 'string' } } }, answer(200, { v: '1.4.0' }), []],
    ['absent means absent', { json: { debug: { exists: false } } }, answer(200, { debug: true }), ['debug: is present (true), expected absent']],
    ['header present', { headers: { 'X-Frame-Options': { exists: true } } }, answer(200, {}, {}), ['header X-Frame-Options: missing']],
    ['header value', { headers: { 'content-type': { matches: 'json' } } }, answer(200, {}, { 'content-type': 'application/json' }), []],
    ['body text', { bodyContains: 'Welcome', bodyExcludes: 'Traceback' }, answer(200, 'Welcome! Traceback (most recent call last)'), ['the body contains "Traceback"']],
  ])('%s', (_n, spec, a, problems) => {
    expect(evaluate(responseExpectSchema.parse(spec), a)).toEqual(problems);
  });
});

describe('matchers and paths', () => {
  it('rejects an empty or broken matcher at config load', () => {
    expect(matcherSchema.safeParse({}).success).toBe(false);
    expect(matcherSchema.safeParse({ matches: '(' }).success).toBe(false);
  });
  it('fans out over arrays with *', () => {
    expect(valuesAt({ items: [{ id: 1 }, { id: 2 }] }, 'items.*.id').map((v) => v.value)).toEqual([1, 2]);
  });
});
