import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.ts';
import { parseStartAt } from './options.ts';

// `--start-at`: one instant for every segment, so it must name one (a zone), and one each can still reach.

describe('--start-at', () => {
  const now = Date.parse('2026-12-07T20:00:00Z');
  it.each([
    ['2026-12-07T20:05:00Z', Date.parse('2026-12-07T20:05:00Z')],
    ['2026-12-07T21:05:00+01:00', Date.parse('2026-12-07T20:05:00Z')],
    ['2026-12-07T20:00:30.500Z', now + 30_500],
  ])('%s → the instant', (value, want) => {
    expect(parseStartAt(value, now)).toBe(want);
  });
  it.each([
    ['2026-12-07T20:05:00', /with a zone/], // local time: a different instant on each machine
    ['tomorrow', /with a zone/],
    ['2026-12-07T19:59:59Z', /in the past/],
    ['2026-12-09T20:00:00Z', /more than 24 h ahead/],
  ])('%s → usage error', (value, why) => {
    expect(() => parseStartAt(value, now)).toThrow(UsageError);
    expect(() => parseStartAt(value, now)).toThrow(why);
  });
});
