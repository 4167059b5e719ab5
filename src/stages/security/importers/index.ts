import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { SCANNER_FORMATS, scannerRules, type ScannerFormat } from '../definitions.ts';
import { UsageError } from '../../../core/errors.ts';
import type { Severity } from '../../../core/types.ts';
import type { SecurityConfig, SeverityOverride } from '../config.ts';
import { detectFormat, PARSERS, ShapeError } from './parsers.ts';
import type { ParsedImport, RawFinding, ScannerFinding } from './types.ts';

export type { ParsedImport, ScannerFinding } from './types.ts';

const FORMAT_PREFIX = new RegExp(`^(${SCANNER_FORMATS.join('|')}):(.+)$`);

interface Entry {
  path: string;
  claimed?: ScannerFormat;
}

/** `zap:report.json` claims a format; `x.sarif` claims SARIF by its name; otherwise the content decides. */
function entryOf(raw: string | { path: string; format?: ScannerFormat }, baseDir: string): Entry {
  const e = typeof raw === 'string' ? { path: raw } : raw;
  let path = e.path;
  let claimed = 'format' in e ? e.format : undefined;
  const m = FORMAT_PREFIX.exec(path);
  if (m) {
    claimed = m[1] as ScannerFormat;
    path = m[2] as string;
  }
  if (!claimed && /\.sarif(\.json)?$/i.test(path)) claimed = 'sarif';
  return { path: isAbsolute(path) ? path : resolve(baseDir, path), ...(claimed ? { claimed } : {}) };
}

/** Severity for a finding: a per-rule override first, then the SARIF security-severity, then the scanner's map. */
export function mapFinding(format: ScannerFormat, f: RawFinding, overrides: SecurityConfig['severityOverrides']): ScannerFinding | undefined {
  const keys = [f.ruleId, ...(f.aliases ?? [])].map((k) => `${format}:${k}`);
  const ov: SeverityOverride | undefined = keys.map((k) => overrides[k]).find((v) => v !== undefined);
  if (ov === 'ignore' || (typeof ov === 'object' && ov.ignore)) return undefined;
  let mapped: string | undefined;
  if (typeof ov === 'string') mapped = ov;
  else if (typeof ov === 'object' && ov.severity) mapped = ov.severity;
  else if (format === 'sarif' && f.securitySeverity !== undefined) {
    mapped = f.securitySeverity >= 9 ? 'critical' : f.securitySeverity >= 7 ? 'major' : f.securitySeverity > 0 ? 'minor' : 'ignore';
  } else mapped = scannerRules(format).severityMap[f.rawSeverity];
  if (mapped === undefined || mapped === 'ignore') return undefined;
  const errored = mapped === 'errored';
  const onFail = typeof ov === 'object' ? ov.onFail : undefined;
  return { ...f, severity: errored ? 'major' : (mapped as Severity), errored, ...(onFail ? { onFail } : {}) };
}

async function loadOne(entry: Entry, config: SecurityConfig): Promise<ParsedImport> {
  const file = entry.path;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? 'scanner report not found' : `cannot read scanner report (${code ?? String(err)})`, file);
  }
  if (!text.trim()) throw new UsageError('scanner report is empty', file);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`not JSON: ${(err as Error).message}`, file);
  }
  const detected = detectFormat(doc);
  const format = entry.claimed ?? detected;
  if (!format) throw new UsageError(`not a ZAP baseline, testssl.sh, npm audit or SARIF 2.1.0 report (unrecognised JSON shape)`, file);
  if (entry.claimed && detected && detected !== entry.claimed) throw new UsageError(`claims to be ${entry.claimed} but looks like ${detected}`, file);
  let parsed;
  try {
    parsed = PARSERS[format](doc);
  } catch (err) {
    if (err instanceof ShapeError) throw new UsageError(`not a valid ${format} report: ${err.message}`, file);
    throw err;
  }
  const findings: ScannerFinding[] = [];
  let ignored = 0;
  for (const f of parsed.findings) {
    const m = mapFinding(format, f, config.severityOverrides);
    if (m) findings.push(m);
    else ignored += 1;
  }
  return { file, format, tool: parsed.tool, ...(parsed.toolVersion ? { toolVersion: parsed.toolVersion } : {}), findings, ignored };
}

/**
 * Read and validate every scanner report up front: the `--import` paths
 * (relative to the working directory, optionally `format:path`) and the
 * config's `stages.security.imports` (relative to the config file). Throws
 * UsageError naming the file and the problem; decides from findings only.
 */
export async function loadScannerFiles(paths: string[], sec: SecurityConfig, rootDir: string): Promise<ParsedImport[]> {
  const entries = [...paths.map((p) => entryOf(p, process.cwd())), ...sec.imports.map((p) => entryOf(p, rootDir))];
  const seen = new Set<string>();
  const unique = entries.filter((e) => (seen.has(e.path) ? false : (seen.add(e.path), true)));
  const out: ParsedImport[] = [];
  for (const e of unique) out.push(await loadOne(e, sec));
  return out;
}
