import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import ts from 'typescript';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { environmentSchema } from '../target/environment.ts';
import { loadScenario } from '../cli/init/templates.ts';
import { exportK6Script, exportTestRun } from './k6-export.ts';
import { loadScenarioFile } from './scenario-file.ts';
import crd from './fixtures/k6-operator-testrun.schema.json' with { type: 'json' };

// The k6 binary is not installed here, so the k6 twin is checked the way an
// editor would: every script `pdv load export-k6` writes type-checks against
// k6's own API definitions (@types/k6; `options` is annotated with k6's
// Options type), and the TestRun manifest against the k6-operator CRD fields.

const REPO = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'pdv-k6-twin-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const env = environmentSchema.parse({
  baseUrl: 'http://127.0.0.1:8080',
  credentials: { viewer: { username: 'v@x', passwordEnv: 'V_PW' }, editor: { username: 'e@x', passwordEnv: 'E_PW' } },
  vars: { region: 'eu' },
});

/** TypeScript diagnostics of a k6 script checked as JavaScript against @types/k6. */
function k6Diagnostics(file: string): string[] {
  const program = ts.createProgram([file], {
    allowJs: true,
    checkJs: true,
    noEmit: true,
    strict: false,
    target: ts.ScriptTarget.ES2020,
    lib: ['lib.es2020.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    typeRoots: [join(REPO, 'node_modules', '@types')],
    types: ['k6'],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

// The repo's own scenario and the skeleton `pdv init` writes (its `from 'pdv'` pointed at this checkout).
const SKELETON = join(scratch, 'baseline.ts');
writeFileSync(SKELETON, loadScenario().replace("from 'pdv'", `from '${pathToFileURL(join(REPO, 'src', 'config', 'index.ts')).href}'`));
const SCENARIOS = ['perf/scenarios/staging.ts', SKELETON];

describe('the k6 twin (pdv load export-k6)', () => {
  it.each(SCENARIOS)('%s → a script that type-checks against @types/k6', async (rel) => {
    const loaded = await loadScenarioFile(rel, REPO);
    const file = join(scratch, `${loaded.scenario.name}.k6.js`);
    writeFileSync(file, exportK6Script(loaded.scenario, { environment: env }, rel));
    expect(k6Diagnostics(file)).toEqual([]);
  });

  it('a script with a wrong k6 option is caught (the check has teeth)', async () => {
    const loaded = await loadScenarioFile(SCENARIOS[0]!, REPO);
    const file = join(scratch, 'broken.k6.js');
    writeFileSync(file, exportK6Script(loaded.scenario, { environment: env }, 'x').replace("export const options = {", 'export const options = {\n  vus: "many",'));
    expect(k6Diagnostics(file)).toEqual([expect.stringMatching(/broken\.k6\.js:\d+: Type 'string' is not assignable to type 'number'/)]);
  });

  it.each([1, 4])('the TestRun manifest (parallelism %i) has the k6-operator CRD shape', (parallelism) => {
    const manifest = parse(exportTestRun({ name: 'pdv-staging-api', configMap: 'pdv-staging-api', file: 'pdv-staging-api.k6.js', parallelism, env: { SUMMARY_FILE: '/tmp/summary.json' } }));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(crd);
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    expect(manifest.spec.parallelism).toBe(parallelism);
    expect(manifest.spec.script.configMap.file).toBe('pdv-staging-api.k6.js');
  });
});
