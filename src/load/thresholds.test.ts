import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.ts';
import { compare, parseThresholds } from './thresholds.ts';

describe('k6 threshold parser', () => {
  it.each([
    ['http_req_duration', 'p(95)<300', { metric: 'http_req_duration', tags: {}, agg: { kind: 'p', p: 95 }, op: '<', limit: 300 }],
    ['http_req_duration{expected_response:true}', 'p(99.9) <= 800', { tags: { expected_response: 'true' }, agg: { kind: 'p', p: 99.9 }, op: '<=', limit: 800 }],
    ['http_req_duration{name:list projects}', 'avg<200', { tags: { name: 'list projects' }, agg: { kind: 'avg' } }],
    ['http_req_duration{name:me,method:GET}', 'med<50', { tags: { name: 'me', method: 'GET' }, agg: { kind: 'med' } }],
    ['http_req_failed', 'rate<0.01', { metric: 'http_req_failed', agg: { kind: 'rate' }, limit: 0.01 }],
    ['http_reqs', 'count>=100', { metric: 'http_reqs', agg: { kind: 'count' }, op: '>=', limit: 100 }],
    ['http_reqs{scenario:api}', 'rate>10', { agg: { kind: 'rate' }, tags: { scenario: 'api' } }],
    ['dropped_iterations', 'count==0', { metric: 'dropped_iterations', op: '==', limit: 0 }],
    ['http_req_duration_uncorrected', 'max<1e3', { agg: { kind: 'max' }, limit: 1000 }],
  ])('%s: %s', (key, expr, expected) => {
    const [t] = parseThresholds({ [key]: [expr] }, 'perf/x.ts');
    expect(t).toMatchObject(expected);
  });

  it('keeps abortOnFail, delayAbortEval and the pdv severity extension', () => {
    const [t] = parseThresholds({ http_req_duration: [{ threshold: 'p(99)<800', abortOnFail: true, delayAbortEval: 60_000, severity: 'critical' }] }, 'f.ts');
    expect(t).toMatchObject({ abortOnFail: true, delayAbortEvalMs: 60_000, severity: 'critical' });
  });

  it.each([
    ['http_req_duration', 'p95<300', /is not `aggregation op number`/],
    ['http_req_duration', 'p(95)<abc', /is not `aggregation op number`/],
    ['http_req_duration', 'rate<0.1', /does not apply to trend/],
    ['http_req_failed', 'p(95)<1', /does not apply to rate/],
    ['http_req_waiting', 'p(95)<1', /unknown metric "http_req_waiting"/],
    ['http_req_duration{status:200}', 'p(95)<1', /tag "status".*cannot be filtered/],
    ['http_req_duration{name}', 'p(95)<1', /is not tag:value/],
    ['http_req_duration{expected_response:yes}', 'p(95)<1', /true or false/],
    ['http_req_duration', 'p(0)<1', /percentile/],
    ['http_req_duration', 'p(101)<10', /percentile/],
    // Limits that can never fail (or never pass) are not thresholds.
    ['http_req_duration', 'p(95)<1e999', /finite/],
    ['http_req_duration', 'p(95)<-1', /negative/],
    ['http_req_duration', 'max<1e12', /absurd|longer than/],
    ['http_req_failed', 'rate<2', /between 0 and 1/],
    ['dropped_iterations', 'count<-1', /negative/],
  ])('rejects %s %s', (key, expr, message) => {
    let err: unknown;
    try {
      parseThresholds({ [key]: [expr] }, 'perf/scenarios/bad.ts');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    // The message names the scenario file and the threshold's metric key.
    expect((err as Error).message).toContain('perf/scenarios/bad.ts');
    expect((err as Error).message).toContain(`thresholds["${key}"]`);
  });

  it.each([
    [1, '<', 2, true],
    [2, '<', 2, false],
    [2, '<=', 2, true],
    [3, '>', 2, true],
    [2, '>=', 3, false],
    [2, '==', 2, true],
    [2, '===', 2, true],
    [2, '!=', 2, false],
  ] as const)('compare %d %s %d = %s', (a, op, b, ok) => expect(compare(a, op, b)).toBe(ok));
});
