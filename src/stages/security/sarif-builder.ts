import type { Log, ReportingDescriptor, Result } from 'sarif';
import { checkDefinitions, scannerRules, SCANNER_FORMATS, type ScannerFormat } from './definitions.ts';
import type { CheckResult, Severity } from '../../core/types.ts';
import { defKeyOf, urlOf } from './result.ts';

// security.sarif: SARIF 2.1.0 for GitHub code scanning. One rule per check;
// one result per failed check. Every result points at the repository file
// that defines its check (GitHub rejects results without a file location) and
// carries the URL it is about in its message.

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, Result.level> = { critical: 'error', major: 'error', minor: 'warning' };
/** GitHub reads `security-severity` (0–10) to rank alerts: critical ≥ 9, high ≥ 7, medium ≥ 4. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', major: '7.5', minor: '4.0' };

interface Location {
  uri: string;
  line: number;
  help?: string;
  description: string;
}

function locationOf(check: CheckResult): Location {
  const key = defKeyOf(check);
  if (key?.startsWith('import.')) {
    const format = key.slice('import.'.length) as ScannerFormat;
    if ((SCANNER_FORMATS as readonly string[]).includes(format)) {
      const r = scannerRules(format);
      return { uri: r.file, line: r.line, description: r.description, ...(r.help ? { help: r.help } : {}) };
    }
  }
  const d = key ? checkDefinitions().get(key) : undefined;
  if (d) return { uri: d.file, line: d.line, description: d.description, ...(d.help ? { help: d.help } : {}) };
  // A check from elsewhere still needs a file: the stage's definitions index.
  return { uri: 'security/web.json', line: 1, description: check.title };
}

export interface SarifOptions {
  toolVersion: string;
  /** Run category for code scanning (one per environment keeps alerts apart). */
  category?: string;
  /** Repository-relative prefix when pdv lives in a sub-folder of the scanned repo. */
  uriPrefix?: string;
}

export function buildSarif(checks: CheckResult[], opts: SarifOptions): Log {
  const security = checks.filter((c) => c.stage === 'security');
  const rules: ReportingDescriptor[] = [];
  const index = new Map<string, number>();
  const results: Result[] = [];
  const prefix = opts.uriPrefix ? opts.uriPrefix.replace(/\/?$/, '/') : '';
  for (const c of security) {
    const loc = locationOf(c);
    if (!index.has(c.id)) {
      index.set(c.id, rules.length);
      rules.push({
        id: c.id,
        name: c.id.replace(/^security\./, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : '')),
        shortDescription: { text: c.title },
        fullDescription: { text: loc.description },
        ...(loc.help ? { helpUri: loc.help, help: { text: `${loc.description} See ${loc.help}` } } : { help: { text: loc.description } }),
        defaultConfiguration: { level: LEVEL[c.severity] },
        properties: { tags: ['security', ...(c.tags ?? []).filter((t) => !t.includes(':') && t !== 'security')], 'security-severity': SECURITY_SEVERITY[c.severity], precision: 'high' },
      });
    }
    if (c.status !== 'failed') continue;
    const url = urlOf(c);
    const text = `${c.message ?? c.title}${url && !(c.message ?? '').includes(url) ? ` (${url})` : ''}`;
    results.push({
      ruleId: c.id,
      ruleIndex: index.get(c.id) as number,
      level: LEVEL[c.severity],
      message: { text },
      locations: [{ physicalLocation: { artifactLocation: { uri: `${prefix}${loc.uri}`, uriBaseId: '%SRCROOT%' }, region: { startLine: loc.line } } }],
      partialFingerprints: { pdvCheckId: c.id },
      properties: { severity: c.severity, ...(c.onFail ? { onFail: c.onFail } : {}), ...(url ? { url } : {}) },
    });
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'pdv', semanticVersion: opts.toolVersion, version: opts.toolVersion, rules } },
        ...(opts.category ? { automationDetails: { id: opts.category } } : {}),
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The repository root (the folder holding security/).' } } },
        results,
      },
    ],
  };
}
