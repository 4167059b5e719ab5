import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../e2e/helpers/cli.ts';
import { UsageError } from '../core/errors.ts';
import { loadScenarioFile } from './scenario-file.ts';

// Scenario modules load the way config files do (bundled, src/platform/user-module.ts): a `.ts`
// file with type annotations in a folder without an ESM package.json is
// CommonJS to Node, and must load all the same. Proven through the real CLI
// (vitest's own transform would hide the difference).

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdv-scenario-file-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadScenarioFile', () => {
  it('a TypeScript scenario outside an ESM package loads (pdv load export-k6 through the real CLI)', async () => {
    await writeFile(
      join(dir, 'api.ts'),
      `interface Req { name: string; path: string }\nconst home: Req = { name: 'home', path: '/' };\nexport default { name: 'outside', scenarios: { api: { executor: 'constant-arrival-rate' as const, rate: 5, duration: '1s', requests: [home] } }, thresholds: { http_req_failed: ['rate<0.5'] } };\n`,
    );
    await writeFile(join(dir, 'pdv.config.ts'), `export default { environments: { staging: { baseUrl: 'http://127.0.0.1:1' } }, stages: { load: { scenario: 'api.ts' } } };\n`);
    const res = await runCli(['load', 'export-k6', '--config', join(dir, 'pdv.config.ts'), '--out', join(dir, 'k6'), '--json'], { cwd: dir, timeoutMs: 120_000 });
    expect(res.code, res.stderr).toBe(0);
    const script = await readFile(join(dir, 'k6', 'pdv-outside.k6.js'), 'utf8');
    expect(script).toContain('"rate": 5');
  }, 120_000);

  it('names what to add when no scenario is configured (there is no bundled default)', async () => {
    await expect(loadScenarioFile(undefined, dir)).rejects.toThrow(UsageError);
    await expect(loadScenarioFile(undefined, dir)).rejects.toThrow(/stages\.load\.scenario/);
  });
});
