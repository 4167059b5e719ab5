import { describe, expect, it } from 'vitest';
import { readPwTarget, TARGET_ENV } from './target-env.ts';

describe('readPwTarget outside pdv', () => {
  // Regression: plain `npx playwright test` fell back to the demo's users, flag mirror and URL,
  // so specs run against another app signed in as demo accounts and compared demo flags.
  it('has no built-in users, flag mirror or URL: only what the runbook env vars say', () => {
    const t = readPwTarget({});
    expect(t.credentials).toEqual({});
    expect(t.flagsMirror).toBeUndefined();
    expect(t.baseUrl).toBe('');
    expect(t.testDirs).toEqual({});
  });

  it('reads the runbook env vars and PDV_CREDENTIALS', () => {
    const t = readPwTarget({
      PDV_BASE_URL: 'http://127.0.0.1:3000',
      API_BASE_URL: 'http://127.0.0.1:3001',
      PDV_FLAGS_MIRROR: 'flags.json',
      PDV_CREDENTIALS: JSON.stringify({ viewer: { username: 'v@x', passwordEnv: 'V_PW' } }),
    });
    expect(t).toMatchObject({ baseUrl: 'http://127.0.0.1:3000', apiUrl: 'http://127.0.0.1:3001', flagsMirror: 'flags.json', credentials: { viewer: { username: 'v@x', passwordEnv: 'V_PW' } } });
  });

  it('under pdv, the stage-provided target wins', () => {
    const t = readPwTarget({ [TARGET_ENV]: JSON.stringify({ baseUrl: 'http://x', credentials: {}, testDirs: { smoke: '/s' } }), PDV_BASE_URL: 'http://y' });
    expect(t.baseUrl).toBe('http://x');
    expect(t.testDirs.smoke).toBe('/s');
  });
});
