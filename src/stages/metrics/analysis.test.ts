import { describe, expect, it } from 'vitest';
import type { MetricSource, Sample } from '../../sources/types.ts';
import { SourceError } from '../../sources/types.ts';
import { classify, outcome, runRule, type Measurement } from './analysis.ts';
import { ruleConfigSchema } from './config.ts';

const s = (...values: number[]): Sample[] => values.map((value) => ({ labels: {}, value, at: 0 }));
const m = (...phases: Measurement['phase'][]): Measurement[] => phases.map((phase) => ({ at: '', phase, values: [] }));
const limits = { count: 5, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 };

describe('classify', () => {
  it.each([
    [{ successCondition: 'result[0] >= 0.95' }, s(0.99), 'successful'],
    [{ successCondition: 'result[0] >= 0.95' }, s(0.5), 'failed'],
    [{ failureCondition: 'value > 0' }, s(1), 'failed'],
    [{ failureCondition: 'value > 0' }, s(0), 'successful'],
    [{ successCondition: 'value < 1', failureCondition: 'value > 2' }, s(1.5), 'inconclusive'],
    [{ successCondition: 'value < 1' }, [], 'inconclusive'],
    [{ successCondition: 'result[3] < 1' }, s(1), 'error'],
    // 0/0 with no traffic is NaN, not a healthy value: no evidence either way.
    [{ failureCondition: 'value > 0.05' }, s(Number.NaN), 'inconclusive'],
    [{ successCondition: 'value < 0.05' }, s(Number.NaN), 'inconclusive'],
    [{ failureCondition: 'value > 0.05' }, s(0.01, Number.NaN), 'inconclusive'],
    [{ failureCondition: 'value < 0' }, s(Number.POSITIVE_INFINITY), 'inconclusive'],
    [{ successCondition: 'value < 300' }, s(Number.NEGATIVE_INFINITY), 'inconclusive'],
    [{ failureCondition: 'value > 0.05' }, [], 'inconclusive'],
  ])('%j on %j → %s', (rule, samples, phase) => {
    expect(classify(samples, rule).phase).toBe(phase);
  });
});

describe('outcome (fail safe where Argo fails open)', () => {
  it.each([
    [m('successful', 'successful'), 'passed'],
    [m('successful', 'failed'), 'failed'],
    [m('inconclusive'), 'errored'],
    [m('error'), 'errored'], // Argo #4479: every measurement errored must not be successful
    [m('error', 'error', 'successful'), 'passed'],
    [m('successful', 'error'), 'errored'],
    [m('error', 'error', 'error', 'error', 'error', 'successful'), 'errored'],
    [[], 'errored'],
  ])('%j → %s', (ms, status) => {
    expect(outcome(ms, limits).status).toBe(status);
  });
  it('honours failureLimit and inconclusiveLimit', () => {
    expect(outcome(m('failed', 'successful'), { ...limits, failureLimit: 1 }).status).toBe('passed');
    expect(outcome(m('inconclusive', 'successful'), { ...limits, inconclusiveLimit: 1 }).status).toBe('passed');
  });
});

function fakeSource(results: Array<Sample[] | Error>): MetricSource & { calls: number } {
  const src = {
    calls: 0,
    kind: 'prometheus' as const,
    name: 'fake',
    endpoint: 'http://fake',
    async instant() {
      const r = results[Math.min(src.calls++, results.length - 1)]!;
      if (r instanceof Error) throw r;
      return r;
    },
    async range() {
      return [];
    },
    async alarms() {
      return [];
    },
  };
  return src;
}

describe('runRule', () => {
  const sleep = async (): Promise<void> => undefined;
  it('takes count measurements and keeps each', async () => {
    const rule = ruleConfigSchema.parse({ name: 'ok', query: 'x', successCondition: 'value < 1', count: 3 });
    const out = await runRule(rule, fakeSource([s(0.1), s(0.2), s(0.3)]), { sleep });
    expect(out.status).toBe('passed');
    expect(out.measurements.map((x) => x.values[0])).toEqual([0.1, 0.2, 0.3]);
  });
  it('stops at the first failure past the limit', async () => {
    const rule = ruleConfigSchema.parse({ name: 'f', query: 'x', failureCondition: 'value > 1', count: 5 });
    const src = fakeSource([s(0), s(2), s(0)]);
    const out = await runRule(rule, src, { sleep });
    expect(out.status).toBe('failed');
    expect(src.calls).toBe(2);
  });
  it('an unreadable source is errored, never passed', async () => {
    const rule = ruleConfigSchema.parse({ name: 'e', query: 'x', successCondition: 'value < 1', count: 2 });
    const out = await runRule(rule, fakeSource([new SourceError('fake', 'connection refused')]), { sleep });
    expect(out.status).toBe('errored');
    expect(out.message).toMatch(/connection refused/);
  });
  it.each([
    ['NaN (0/0 without traffic)', Number.NaN],
    ['+Inf', Number.POSITIVE_INFINITY],
    ['-Inf', Number.NEGATIVE_INFINITY],
  ])('a query answering %s never passes: errored (→ hold)', async (_name, v) => {
    const rule = ruleConfigSchema.parse({ name: 'n', query: 'x', failureCondition: 'value > 0.05', count: 2 });
    const out = await runRule(rule, fakeSource([s(v)]), { sleep });
    expect(out.status).toBe('errored');
    expect(out.message).toMatch(/not a number|NaN|Inf/);
  });
  it('no series never passes: errored (→ hold)', async () => {
    const rule = ruleConfigSchema.parse({ name: 'n', query: 'x', failureCondition: 'value > 0.05', count: 2 });
    expect((await runRule(rule, fakeSource([[]]), { sleep })).status).toBe('errored');
  });
  it('rejects a rule without conditions and a bad condition at config time', () => {
    expect(ruleConfigSchema.safeParse({ name: 'x', query: 'q' }).success).toBe(false);
    const bad = ruleConfigSchema.safeParse({ name: 'x', query: 'q', successCondition: 'value >' });
    expect(bad.success).toBe(false);
  });
});
