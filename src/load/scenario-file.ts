import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { importUserModule } from '../platform/user-module.ts';
import { errorMessage, UsageError } from '../core/errors.ts';
import { scenarioFileSchema, type ScenarioFile } from './scenario.ts';
import { parseThresholds, type ParsedThreshold } from './thresholds.ts';

// Loading a scenario module: import it, validate its shape, parse its
// thresholds. Every problem is a UsageError naming the file and the field.
// There is no bundled default: the scenario is the target's (stages.load.scenario).

export interface LoadedScenario {
  file: string;
  scenario: ScenarioFile;
  thresholds: ParsedThreshold[];
}

export const NO_SCENARIO = 'the load stage needs a scenario module: set stages.load.scenario (e.g. "perf/scenarios/api.ts"), or stages.load.enabled: false';

export function validateScenario(value: unknown, file: string): LoadedScenario {
  const parsed = scenarioFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? issue.path.map(String).join('.') : '(root)';
    throw new UsageError(issue?.message ?? 'invalid scenario', `${file}: ${path}`);
  }
  return { file, scenario: parsed.data, thresholds: parseThresholds(parsed.data.thresholds, file) };
}

async function importScenario(file: string): Promise<unknown> {
  let mod: { default?: unknown; scenario?: unknown };
  try {
    // As for config files: JavaScript natively, TypeScript bundled (src/platform/user-module.ts).
    mod = (await importUserModule(file)) as { default?: unknown; scenario?: unknown };
  } catch (err) {
    throw new UsageError(`cannot import scenario module: ${errorMessage(err)}`, file);
  }
  let value = mod.default ?? mod.scenario;
  // A .ts file outside an ESM package loads as CommonJS: unwrap the interop default (a scenario has no `default` key: the schema is strict).
  if (value && typeof value === 'object' && 'default' in value) value = (value as { default: unknown }).default;
  return value;
}

export async function loadScenarioFile(path: string | undefined, rootDir: string): Promise<LoadedScenario> {
  if (!path) throw new UsageError(NO_SCENARIO, 'stages.load.scenario');
  const file = resolve(rootDir, path);
  if (!existsSync(file)) throw new UsageError('scenario file not found', file);
  const value = await importScenario(file);
  if (value === undefined) throw new UsageError('the module has no default export (use `export default defineScenario({...})`)', file);
  return validateScenario(value, file);
}
