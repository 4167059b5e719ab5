import { describe, expect, it } from 'vitest';
import type { RunStartEvent } from '../core/events.ts';
import { shardProblems } from './merge.ts';

const start = (p: Partial<RunStartEvent>): RunStartEvent => ({ type: 'run.start', at: '2026-01-01T00:00:00Z', runId: 'r', command: 'run uat', target: { environment: 's', baseUrl: 'http://x', deployId: 'd1' }, plan: ['uat'], required: ['uat'], partial: true, ...p });
const s = (dir: string, p: Partial<RunStartEvent>) => ({ dir, start: start(p) });

describe('shardProblems', () => {
  it.each([
    ['complete shards are fine', [s('a', { shard: { index: 1, total: 2 } }), s('b', { shard: { index: 2, total: 2 } })], []],
    ['a missing shard', [s('a', { shard: { index: 1, total: 2 } })], ['shard 2/2 is missing']],
    ['a duplicated shard', [s('a', { shard: { index: 1, total: 2 } }), s('b', { shard: { index: 1, total: 2 } })], ['shard 1/2 given twice (a and b)', 'shard 2/2 is missing']],
    ['another deploy id', [s('a', { shard: { index: 1, total: 2 } }), s('b', { shard: { index: 2, total: 2 }, target: { environment: 's', baseUrl: 'http://x', deployId: 'd2' } })], ['inputs come from different deploy ids: d1, d2']],
    ['segments disagreeing on total', [s('a', { segment: { index: 1, total: 2 } }), s('b', { segment: { index: 2, total: 3 } })], ['segments disagree on the total: 2, 3']],
  ])('%s', (_n, inputs, problems) => {
    expect(shardProblems(inputs)).toEqual(problems);
  });
});
