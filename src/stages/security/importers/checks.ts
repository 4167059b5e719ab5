import { basename } from 'node:path';
import { scannerRules } from '../definitions.ts';
import type { CheckResult } from '../../../core/types.ts';
import { DEF_TAG } from '../result.ts';
import type { ParsedImport } from './types.ts';

const slugify = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'rule';

/** Findings of one imported file → checks: one per rule, plus one saying the file was read. */
/** `used` carries ids across several files so two reports of one format never emit the same id. */
export function importChecks(imp: ParsedImport, used: Set<string> = new Set()): CheckResult[] {
  const rules = scannerRules(imp.format);
  const tags = ['security', 'import', `${DEF_TAG}${rules.key}`, `scanner:${imp.format}`];
  const name = basename(imp.file);
  const tool = `${imp.tool}${imp.toolVersion ? ` ${imp.toolVersion}` : ''}`;
  let fileId = `security.import.${imp.format}.file-${slugify(name)}`;
  for (let n = 2; used.has(fileId); n++) fileId = `security.import.${imp.format}.file-${slugify(name)}-${n}`;
  used.add(fileId);
  const checks: CheckResult[] = [
    {
      id: fileId,
      stage: 'security',
      title: `${tool} report ${name} imported`,
      severity: 'minor',
      status: 'passed',
      message: `${name}: ${imp.findings.length} finding(s) mapped to checks, ${imp.ignored} informational/ignored (decided from the findings, not the scanner's exit code)`,
      durationMs: 0,
      attempts: 1,
      evidence: [{ kind: 'text', label: 'scanner report', text: name }],
      tags,
    },
  ];
  for (const f of imp.findings) {
    const targets = [...new Set(f.targets)];
    // Two rule ids can slugify alike (`@a/b`, `a-b`): keep ids unique within the file.
    let id = `security.import.${imp.format}.${slugify(f.ruleId)}`;
    for (let n = 2; used.has(id); n++) id = `security.import.${imp.format}.${slugify(f.ruleId)}-${n}`;
    used.add(id);
    checks.push({
      id,
      stage: 'security',
      title: `${tool}: ${f.title}`.slice(0, 200),
      severity: f.severity,
      ...(f.onFail ? { onFail: f.onFail } : {}),
      status: f.errored ? 'errored' : 'failed',
      message: `${f.message} [${imp.format} ${f.ruleId}, ${f.rawSeverity}; ${f.count} instance(s)${targets.length ? `: ${targets.slice(0, 5).join(', ')}${targets.length > 5 ? ', …' : ''}` : ''}]`,
      durationMs: 0,
      attempts: 1,
      evidence: [
        ...(targets[0] && /^https?:\/\//.test(targets[0]) ? [{ kind: 'link' as const, label: 'target', url: targets[0] }] : []),
        { kind: 'json', label: `${imp.format} finding`, data: { ruleId: f.ruleId, rawSeverity: f.rawSeverity, targets, details: f.details ?? null, file: name } },
        ...(f.locations?.length ? [{ kind: 'json' as const, label: 'sarif locations', data: f.locations.slice(0, 20) }] : []),
      ],
      tags,
      observed: f.rawSeverity,
    });
  }
  return checks;
}
