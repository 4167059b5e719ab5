import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import schema from '../../schema/verdict.schema.json' with { type: 'json' };

// verdict.json is a contract (DESIGN.md): every written file validates against
// schema/verdict.schema.json. The validator is compiled once, on first use.

export const VERDICT_SCHEMA: object = schema;

export type ValidationResult = { ok: true } | { ok: false; errors: string[] };

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default
// import is the module object, so take `.default` when it is there.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    compiled = ajv.compile(schema);
  }
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
