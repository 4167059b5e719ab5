import { describe, expect, it, vi } from 'vitest';
import { MissingBinaryError, missingBinary, onCI } from './binaries.ts';

describe('a missing binary', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['', false],
    ['false', false],
    [undefined, false],
  ])('CI=%s → on CI: %s', (ci, expected) => {
    expect(onCI(ci === undefined ? {} : { CI: ci })).toBe(expected);
  });

  it('fails the suite under CI=true instead of skipping', () => {
    expect(() => missingBinary('Prometheus', false, 'apt-get install prometheus', { CI: 'true' })).toThrow(MissingBinaryError);
    expect(() => missingBinary('Prometheus', false, 'apt-get install prometheus', { CI: 'true' })).toThrow(/Prometheus not found.*CI=true/);
  });

  it('skips with a visible reason off CI; present binaries never skip', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(missingBinary('nginx', false, 'apt-get install nginx', {})).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/skipping: nginx not found/));
    warn.mockRestore();
    expect(missingBinary('nginx', true, 'x', { CI: 'true' })).toBe(false);
  });
});
