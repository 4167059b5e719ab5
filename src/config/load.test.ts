import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.ts';
import { collectSecrets, loadConfig } from './load.ts';

const dir = mkdtempSync(join(tmpdir(), 'pdv-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(body: string): string {
  const p = join(dir, `c${n++}.config.ts`);
  writeFileSync(p, body);
  return p;
}
const good = file(`export default {
  environments: {
    staging: { baseUrl: 'https://staging.example.test', apiUrl: 'https://api.staging.example.test', expectedVersion: '2.0.0',
      credentials: { editor: { username: 'ed@example.test', passwordEnv: 'STAGING_EDITOR_PASSWORD' } } },
    dev: { baseUrl: 'http://127.0.0.1:3000' },
  },
  policy: { majorBudget: 1 },
};`);

async function usageError(p: Promise<unknown>): Promise<UsageError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(UsageError);
  return err as UsageError;
}

describe('loadConfig', () => {
  it('layers flag > env var > file', async () => {
    const fromFile = await loadConfig({ config: good }, {});
    expect(fromFile.environmentName).toBe('staging');
    expect(fromFile.environment.baseUrl).toBe('https://staging.example.test');
    expect(fromFile.policy.majorBudget).toBe(1);
    const fromEnv = await loadConfig({ config: good }, { ENVIRONMENT: 'dev', PDV_BASE_URL: 'http://127.0.0.1:4000', API_BASE_URL: 'http://127.0.0.1:4001', DATABASE_URL: 'postgres://u:p4ss@h/db' });
    expect(fromEnv.environmentName).toBe('dev');
    expect(fromEnv.environment.baseUrl).toBe('http://127.0.0.1:4000');
    expect(fromEnv.environment.apiUrl).toBe('http://127.0.0.1:4001');
    expect(fromEnv.runtime.databaseUrl).toBe('postgres://u:p4ss@h/db');
    const fromFlag = await loadConfig({ config: good, env: 'dev', baseUrl: 'http://127.0.0.1:5000', expectVersion: '9' }, { PDV_BASE_URL: 'http://127.0.0.1:4000' });
    expect(fromFlag.environment.baseUrl).toBe('http://127.0.0.1:5000');
    expect(fromFlag.environment.expectedVersion).toBe('9');
  });

  it.each([
    ['a bad URL names the field', `export default { environments: { staging: { baseUrl: 'not a url' } } }`, 'environments.staging.baseUrl'],
    ['a password in the config is refused', `export default { environments: { staging: { baseUrl: 'http://x.test', credentials: { a: { username: 'u', passwordEnv: 'hunter 2' } } } } }`, 'passwordEnv'],
    ['an unknown key names the path', `export default { environments: { staging: { baseUrl: 'http://x.test' } }, stages: { smoke: { retrys: 2 } } }`, 'stages.smoke'],
    ['a bad duration names the field', `export default { environments: { staging: { baseUrl: 'http://x.test' } }, deadline: 'soon' }`, 'deadline'],
    ['a syntax error names the file', `export default { environments: {`, 'cannot load'],
  ])('%s', async (_name, body, fragment) => {
    const p = file(body);
    const err = await usageError(loadConfig({ config: p }, {}));
    expect(err.message).toContain(p);
    expect(err.message).toContain(fragment);
  });

  it('rejects a bad --base-url naming the flag', async () => {
    const err = await usageError(loadConfig({ config: good, baseUrl: 'ftp://x' }, {}));
    expect(err.message).toContain('--base-url');
  });

  it('names the defined environments when an unknown one is asked for', async () => {
    const err = await usageError(loadConfig({ config: good, env: 'prod' }, {}));
    expect(err.message).toMatch(/prod.*staging, dev/);
  });

  it('a missing explicit config file is a usage error', async () => {
    await usageError(loadConfig({ config: join(dir, 'nope.ts') }, {}));
  });

  it('works without a config file when a base URL is given', async () => {
    const c = await loadConfig({ baseUrl: 'http://127.0.0.1:9' }, {}, dir);
    expect(c.environment.baseUrl).toBe('http://127.0.0.1:9');
  });

  it('collects secrets from credential env vars and connection strings', async () => {
    const c = await loadConfig({ config: good }, {});
    const s = collectSecrets(c, { STAGING_EDITOR_PASSWORD: 'canary-xyz', DATABASE_URL: 'postgres://u:db-pass-1@h/db' });
    expect([...s.values()]).toEqual(expect.arrayContaining(['canary-xyz', 'db-pass-1']));
  });
});
