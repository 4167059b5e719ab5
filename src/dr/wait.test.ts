import { describe, expect, it } from 'vitest';
import { waitUntil, WaitTimeoutError } from './wait.ts';

function fakeTime() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

describe('waitUntil', () => {
  it('returns once the poll says done', async () => {
    const time = fakeTime();
    let n = 0;
    await waitUntil(async () => (++n >= 3 ? { done: true } : { done: false, state: 'creating' }), { what: 'x', timeoutMs: 1000, intervalMs: 30, ...time });
    expect(n).toBe(3);
  });

  it('times out naming the last state', async () => {
    const time = fakeTime();
    const p = waitUntil(async () => ({ done: false, state: 'creating' }), { what: 'instance to become available', timeoutMs: 90, intervalMs: 30, ...time });
    await expect(p).rejects.toBeInstanceOf(WaitTimeoutError);
    await expect(p).rejects.toThrow(/still "creating"/);
  });

  it('stops at once on a failure state', async () => {
    await expect(waitUntil(async () => ({ fail: 'status "failed"' }), { what: 'w', timeoutMs: 1000, intervalMs: 1, ...fakeTime() })).rejects.toThrow('status "failed"');
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('SIGINT'));
    await expect(waitUntil(async () => ({ done: false, state: 's' }), { what: 'w', timeoutMs: 1000, intervalMs: 1, signal: ac.signal, ...fakeTime() })).rejects.toThrow('SIGINT');
  });
});
