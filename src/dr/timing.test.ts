import { describe, expect, it } from 'vitest';
import { humanDuration, PhaseClock, rpoMs, rtoFromPhases } from './timing.ts';

describe('RPO', () => {
  it('is now minus the backup time, never negative', () => {
    const now = new Date('2026-11-26T12:00:00Z');
    expect(rpoMs(new Date('2026-11-23T12:00:00Z'), now)).toBe(3 * 86_400_000);
    expect(rpoMs(new Date('2026-11-26T12:00:05Z'), now)).toBe(0);
  });
  it.each([
    [850, '850ms'],
    [12_300, '12.3s'],
    [125_000, '2m 5s'],
    [3 * 3_600_000 + 60_000, '3h 1m'],
    [3 * 86_400_000 + 2 * 3_600_000, '3d 2h'],
  ])('humanDuration(%d) = %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
});

describe('RTO', () => {
  const fakeClock = () => {
    let t = 0;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('runs from restore start to the end of a passing smoke', async () => {
    const c = fakeClock();
    const clock = new PhaseClock(c.now);
    await clock.time('locate', async () => c.advance(5));
    await clock.time('restore', async () => c.advance(100));
    await clock.time('validate', async () => c.advance(20));
    await clock.time('start', async () => c.advance(300));
    await clock.time('smoke', async () => c.advance(50));
    expect(clock.rto()).toBe(470);
    expect(clock.durations()).toEqual({ locate: 5, restore: 100, validate: 20, start: 300, smoke: 50 });
  });

  it('is undefined when smoke failed or a phase in between failed', async () => {
    const c = fakeClock();
    const clock = new PhaseClock(c.now);
    await clock.time('restore', async () => c.advance(100));
    await expect(clock.time('smoke', async () => {
      c.advance(10);
      throw new Error('503');
    })).rejects.toThrow('503');
    expect(clock.rto()).toBeUndefined();
    expect(rtoFromPhases([
      { name: 'restore', startedAt: 0, durationMs: 10, ok: true },
      { name: 'start', startedAt: 10, durationMs: 10, ok: false },
      { name: 'smoke', startedAt: 20, durationMs: 10, ok: true },
    ])).toBeUndefined();
  });
});
