import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import schema from '../../schema/verdict.schema.json' with { type: 'json' };

// verdict.json is a contract (DESIGN.md): every written file validates against
// schema/verdict.schema.json. The build writes the validator as code beside
// this module (ajv's standalone mode, PRECOMPILED_FILE), so a compiled pdv does
// not compile the schema on every run (≈ 0.1 s); the sources compile it once, on first use.

export const VERDICT_SCHEMA: object = schema;

export type ValidationResult = { ok: true } | { ok: false; errors: string[] };

// ajv and ajv-formats are CommonJS, required only when a validator is compiled
// (the sources, the build, tests), never on a compiled run's path.
const require = createRequire(import.meta.url);

/** The validator's code, written by scripts/build.js into dist/ beside this module. */
export const PRECOMPILED_FILE = 'verdict-validator.cjs';

function newAjv(source: boolean): Ajv2020 {
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const addFormats = require('ajv-formats') as (ajv: Ajv2020) => Ajv2020;
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, code: { source } });
  addFormats(ajv);
  return ajv;
}

/** The schema's validator as a CommonJS module (ajv standalone; it requires ajv's runtime and ajv-formats). */
export function standaloneVerdictValidator(): string {
  const ajv = newAjv(true);
  const standaloneCode = (require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js')).default;
  return standaloneCode(ajv, ajv.compile(schema));
}

function precompiled(): ValidateFunction | undefined {
  if (!import.meta.url.endsWith('.js')) return undefined; // the TypeScript sources: no build beside them
  try {
    return require(`./${PRECOMPILED_FILE}`) as ValidateFunction;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined; // a build without it
    throw err;
  }
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= precompiled() ?? newAjv(false).compile(schema);
  return compiled;
}

function describe(e: ErrorObject): string {
  const where = e.instancePath || '/';
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return `${where} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return `${where} ${e.message ?? e.keyword}`;
}

/** Validate a parsed verdict.json (or a VerdictReport about to be written). */
export function validateVerdict(obj: unknown): ValidationResult {
  const validate = validator();
  if (validate(obj)) return { ok: true };
  return { ok: false, errors: (validate.errors ?? []).map(describe) };
}
