import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../../platform/package-root.ts';
import { ON_FAIL, SEVERITIES } from '../../core/types.ts';
import type { OnFail, Severity } from '../../core/types.ts';

// Loads the check definitions in security/*.json and the scanner-report rules
// in security/scanners/*.json. Each definition remembers the file and line
// that defines it: SARIF results point there (GitHub code scanning needs a
// file location for every result).

/** pdv's root (the folder that holds security/): the repository, or the installed package. */
export const REPO_ROOT = PACKAGE_ROOT;

const regex = z.string().min(1).refine((src) => {
  try {
    new RegExp(src);
    return true;
  } catch {
    return false;
  }
}, 'not a regular expression');
const flags = z.string().regex(/^[imsu]*$/).optional();

/**
 * Content that proves a file is what its path says, anchored where the format
 * puts it: bytes at an offset (archive magic), a pattern at the start of the
 * body (dump headers, .env), a whole line (`[core]`), or — for formats with no
 * fixed place — a distinctive phrase anywhere.
 */
export const signatureSchema = z.union([
  z.object({ what: z.string().min(1), offset: z.number().int().min(0).max(65_536), hex: z.string().regex(/^([0-9a-f]{2})+$/) }).strict(),
  z.object({ what: z.string().min(1), start: regex, flags }).strict(),
  z.object({ what: z.string().min(1), line: regex, flags }).strict(),
  z.object({ what: z.string().min(1), text: regex, flags }).strict(),
]);
export type Signature = z.infer<typeof signatureSchema>;

const definitionSchema = z
  .object({
    key: z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+$/),
    title: z.string().min(1),
    severity: z.enum(SEVERITIES),
    onFail: z.enum(ON_FAIL).optional(),
    description: z.string().min(1),
    help: z.string().url().optional(),
    paths: z.array(z.string().startsWith('/')).min(1).optional(),
    signatures: z.array(signatureSchema).min(1).optional(),
  })
  .strict();

const fileSchema = z.object({ $comment: z.string().optional(), checks: z.array(definitionSchema).min(1) }).strict();

const SCANNER_SEVERITY = z.union([z.enum(SEVERITIES), z.literal('ignore'), z.literal('errored')]);
const scannerRulesSchema = z
  .object({
    $comment: z.string().optional(),
    key: z.string().regex(/^import\.[a-z-]+$/),
    title: z.string(),
    description: z.string(),
    help: z.string().url().optional(),
    severityMap: z.record(z.string(), SCANNER_SEVERITY),
  })
  .strict();

export type ScannerSeverity = z.infer<typeof SCANNER_SEVERITY>;

export interface CheckDefinition {
  key: string;
  title: string;
  severity: Severity;
  onFail?: OnFail;
  description: string;
  help?: string;
  paths?: string[];
  /** Exposed-file probes: any one of these in a 2xx answer is the file. */
  signatures?: Signature[];
  /** Repository-relative path of the defining file, forward slashes. */
  file: string;
  /** 1-based line of the definition's "key" in that file. */
  line: number;
}

export interface ScannerRules extends Omit<CheckDefinition, 'severity' | 'paths' | 'signatures'> {
  severityMap: Record<string, ScannerSeverity>;
}

export const DEFINITION_FILES = ['security/headers.json', 'security/tls.json', 'security/web.json', 'security/exposed-files.json'];
export const SCANNER_FORMATS = ['zap', 'testssl', 'npm-audit', 'sarif'] as const;
export type ScannerFormat = (typeof SCANNER_FORMATS)[number];

function lineOf(text: string, key: string): number {
  const idx = text.indexOf(`"key": "${key}"`);
  return idx < 0 ? 1 : text.slice(0, idx).split('\n').length;
}

function load(file: string): string {
  return readFileSync(join(REPO_ROOT, file), 'utf8');
}

let cache: Map<string, CheckDefinition> | undefined;

/** All check definitions by key (`headers.grade`, `tls.chain`, …). A broken file is a bug in pdv: it throws. */
export function checkDefinitions(): Map<string, CheckDefinition> {
  if (cache) return cache;
  const out = new Map<string, CheckDefinition>();
  for (const file of DEFINITION_FILES) {
    const text = load(file);
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    for (const d of parsed.data.checks) {
      if (out.has(d.key)) throw new Error(`${file}: duplicate key ${d.key}`);
      out.set(d.key, { ...d, file, line: lineOf(text, d.key) });
    }
  }
  cache = out;
  return out;
}

export function definition(key: string): CheckDefinition {
  const d = checkDefinitions().get(key);
  if (!d) throw new Error(`no security check definition "${key}" in ${DEFINITION_FILES.join(', ')}`);
  return d;
}

const scannerCache = new Map<ScannerFormat, ScannerRules>();

export function scannerRules(format: ScannerFormat): ScannerRules {
  const hit = scannerCache.get(format);
  if (hit) return hit;
  const file = `security/scanners/${format}.json`;
  const text = load(file);
  const parsed = scannerRulesSchema.parse(JSON.parse(text));
  const rules: ScannerRules = { ...parsed, file, line: lineOf(text, parsed.key) };
  scannerCache.set(format, rules);
  return rules;
}
