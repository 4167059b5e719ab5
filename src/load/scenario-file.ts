import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../core/errors.ts';
import { scenarioFileSchema, type ScenarioFile } from './scenario.ts';
import { parseThresholds, type ParsedThreshold } from './thresholds.ts';

// Loading a scenario module: import it, validate its shape, parse its
// thresholds. Every problem is a UsageError naming the file and the field.

export interface LoadedScenario {
  file: string;
  scenario: ScenarioFile;
  thresholds: ParsedThreshold[];
}

/** The bundled staging scenario for the demo deployment. */
export const DEFAULT_SCENARIO = new URL('../../perf/scenarios/staging.ts', import.meta.url).pathname;

export function validateScenario(value: unknown, file: string): LoadedScenario {
  const parsed = scenarioFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? issue.path.map(String).join('.') : '(root)';
    throw new UsageError(issue?.message ?? 'invalid scenario', `${file}: ${path}`);
  }
  return { file, scenario: parsed.data, thresholds: parseThresholds(parsed.data.thresholds, file) };
}

export async function loadScenarioFile(path: string | undefined, rootDir: string): Promise<LoadedScenario> {
  const file = path ? resolve(rootDir, path) : DEFAULT_SCENARIO;
  if (!existsSync(file)) throw new UsageError('scenario file not found', file);
  let mod: { default?: unknown; scenario?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown; scenario?: unknown };
  } catch (err) {
    throw new UsageError(`cannot import scenario module: ${err instanceof Error ? err.message : String(err)}`, file);
  }
  const value = mod.default ?? mod.scenario;
  if (value === undefined) throw new UsageError('the module has no default export (use `export default defineScenario({...})`)', file);
  return validateScenario(value, file);
}
