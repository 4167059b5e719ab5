import { describe, expect, it } from 'vitest';
import { decode, encode, newHistogram, recordUs } from './histogram.ts';
import { Recorder } from './recorder.ts';

// Deterministic pseudo-random latencies (a heavy tail, like real traffic).
function* latencies(n: number, seed: number): Generator<number> {
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const u = x / 2 ** 31;
    yield Math.round(500 + 200_000 * u ** 8 + 3000 * u);
  }
}

describe('HDR histograms merge exactly', () => {
  it('encode → decode keeps every count', () => {
    const h = newHistogram();
    for (const v of latencies(20_000, 7)) recordUs(h, v);
    const d = decode(encode(h));
    expect(d.totalCount).toBe(h.totalCount);
    for (const p of [50, 90, 99, 99.9, 100]) expect(d.getValueAtPercentile(p)).toBe(h.getValueAtPercentile(p));
  });

  it('three recorders added via snapshots equal one recorder that saw everything', () => {
    const whole = new Recorder(1000);
    const parts = [new Recorder(1000), new Recorder(1000), new Recorder(1000)];
    let i = 0;
    for (const v of latencies(30_000, 42)) {
      const part = parts[i % 3] as Recorder;
      const status = i % 50 === 0 ? 500 : 200;
      const offsetUs = i * 333;
      for (const r of [whole, part]) {
        const cell = r.cell('api', i % 2 ? 'a' : 'b', 'GET', status === 200);
        r.record(cell, status, v, v / 2, offsetUs);
        r.planned++;
        r.sent++;
        if (i % 97 === 0) r.drop('api', 'a');
      }
      i++;
    }
    // Through JSON, as between worker threads and machines.
    const merged = Recorder.from(parts.map((p) => JSON.parse(JSON.stringify(p.snapshot())) as ReturnType<Recorder['snapshot']>));
    expect(merged.planned).toBe(whole.planned);
    expect(merged.sent).toBe(whole.sent);
    expect([...merged.dropped]).toEqual([...whole.dropped]);
    for (const [key, c] of whole.cells) {
      const m = merged.cells.get(key)!;
      expect(m.count).toBe(c.count);
      expect(m.statuses).toEqual(c.statuses);
      for (const p of [50, 95, 99, 99.99, 100]) {
        expect(m.corrected.getValueAtPercentile(p)).toBe(c.corrected.getValueAtPercentile(p));
        expect(m.uncorrected.getValueAtPercentile(p)).toBe(c.uncorrected.getValueAtPercentile(p));
      }
    }
    expect(merged.windows.size).toBe(whole.windows.size);
    for (const [k, w] of whole.windows) {
      expect(merged.windows.get(k)?.count).toBe(w.count);
      expect(merged.windows.get(k)?.hist.getValueAtPercentile(99)).toBe(w.hist.getValueAtPercentile(99));
    }
    expect(merged.sendLag.totalCount).toBe(whole.sendLag.totalCount);
  });

  it('refuses to add windows of another width', () => {
    expect(() => new Recorder(1000).add(new Recorder(500).snapshot())).toThrow(/windows/);
  });
});
