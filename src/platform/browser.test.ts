import { describe, expect, it } from 'vitest';
import { chromiumArgs } from './browser.ts';

describe('Chromium launch arguments', () => {
  it.each<[string, NodeJS.ProcessEnv, number | null, boolean]>([
    ['a normal user keeps the sandbox', {}, 1000, false],
    ['root cannot start the sandbox', {}, 0, true],
    ['an explicit opt-out (containers without user namespaces)', { PDV_CHROMIUM_NO_SANDBOX: '1' }, 1000, true],
    ['no uid (Windows) keeps the sandbox', {}, null, false],
  ])('%s', (_name, env, uid, noSandbox) => {
    const args = chromiumArgs(env, uid);
    expect(args.includes('--no-sandbox')).toBe(noSandbox);
    expect(args).toContain('--disable-background-networking');
  });
});
