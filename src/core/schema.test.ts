import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from './errors.ts';
import { duration, MAX_TIMER_MS } from './schema.ts';
import { loadConfig } from '../config/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'pdv-common-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('duration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['48h', 172_800_000],
    ['24d', 24 * 86_400_000],
    [MAX_TIMER_MS, MAX_TIMER_MS],
    [`${MAX_TIMER_MS}ms`, MAX_TIMER_MS],
  ])('accepts %s', (input, ms) => {
    expect(duration.parse(input)).toBe(ms);
  });

  // Node timers hold at most 2^31-1 ms: a longer delay fires at once.
  it.each([['25d'], ['30d'], [MAX_TIMER_MS + 1], ['99999999h']])('refuses %s as longer than a timer can hold', (input) => {
    const r = duration.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/at most 24\.8 days/);
  });

  it("a '30d' deadline is a config error naming the field", async () => {
    const p = join(dir, 'deadline.config.ts');
    writeFileSync(p, `export default { environments: { staging: { baseUrl: 'http://x.test' } }, deadline: '30d' }`);
    const err = await loadConfig({ config: p }, {}).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`${p}: deadline:`);
    expect((err as Error).message).toMatch(/"30d" is longer than Node timers can hold/);
  });
});
