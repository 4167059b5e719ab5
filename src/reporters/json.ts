import type { VerdictReport } from '../core/types.ts';
import { validateVerdict } from './schema.ts';
import type { Reporter } from './types.ts';

export const VERDICT_FILE = 'verdict.json';

/** verdict.json text; throws if the report does not match the schema (a bug upstream). */
export function buildVerdictJson(report: VerdictReport): string {
  // Round-trip first so what is validated is exactly what is written (undefined dropped).
  const text = JSON.stringify(report, null, 2) + '\n';
  const check = validateVerdict(JSON.parse(text));
  if (!check.ok) throw new Error(`verdict.json does not match schema/verdict.schema.json: ${check.errors.join('; ')}`);
  return text;
}

export function jsonReporter(): Reporter {
  return {
    name: 'json',
    async write(report, ctx) {
      return [await ctx.writeText(VERDICT_FILE, buildVerdictJson(report))];
    },
  };
}
