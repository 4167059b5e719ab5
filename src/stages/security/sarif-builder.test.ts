import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './definitions.ts';
import type { CheckResult } from '../../core/types.ts';
import { buildSecuritySarif } from './sarif.ts';
import { makeCheck } from './result.ts';
import { importChecks } from './importers/checks.ts';
import { buildSarif } from './sarif-builder.ts';

// The official SARIF 2.1.0 schema ships in @microsoft/jest-sarif (draft-04).
const require = createRequire(import.meta.url);
const schemaPath = join(require.resolve('@microsoft/jest-sarif/package.json'), '..', 'lib/schemas/sarif-2.1.0-rtm.5.json');
// unicodeRegExp off: one pattern in the published schema is not valid in unicode mode.
// Both are CommonJS with a default export: unwrap it the way Node's ESM loader hands it over.
type AjvLike = { compile(schema: object): ValidateFunction };
type AjvCtor = new (opts: Record<string, unknown>) => AjvLike;
const Ajv = (AjvDraft04Module as unknown as { default?: AjvCtor }).default ?? (AjvDraft04Module as unknown as AjvCtor);
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: AjvLike) => void;
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);

const t0 = Date.now();
const checks: CheckResult[] = [
  makeCheck({ def: 'headers.grade', slug: 'headers.base.grade', status: 'failed', message: 'grade F (score 15) for https://app.test/; minimum B', url: 'https://app.test/', startedAt: t0 }),
  makeCheck({ def: 'headers.content-security-policy', slug: 'headers.base.content-security-policy', status: 'failed', message: 'csp-not-implemented (-25); saw: not sent', url: 'https://app.test/', startedAt: t0 }),
  makeCheck({ def: 'tls.cert-expiring', slug: 'tls.base.cert-expiring', status: 'failed', message: 'certificate expires in 5 days', url: 'https://app.test', startedAt: t0 }),
  makeCheck({ def: 'exposed.env', slug: 'exposed.base.env', status: 'passed', message: 'not exposed', url: 'https://app.test/.env', startedAt: t0 }),
  makeCheck({ def: 'cors.credentials', slug: 'cors.base', status: 'errored', message: 'no answer', url: 'https://app.test', startedAt: t0 }),
  { id: 'smoke.health', stage: 'smoke', title: 'health', severity: 'critical', status: 'failed', message: 'health failed', durationMs: 1, attempts: 1, evidence: [] },
];

describe('security.sarif', () => {
  const log = buildSarif(checks, { toolVersion: '0.1.0', category: 'pdv/staging' });

  it('validates against the SARIF 2.1.0 schema', () => {
    const ok = validate(JSON.parse(buildSecuritySarif(checks, 'pdv/staging')));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // …and the validator does reject a broken log.
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
    expect(validate({ ...log, runs: [{ results: [] }] })).toBe(false);
  });

  it('has one rule per security check and results only for failures', () => {
    const run = log.runs[0];
    expect(run?.tool.driver.rules?.map((r) => r.id)).toEqual(['security.headers.base.grade', 'security.headers.base.content-security-policy', 'security.tls.base.cert-expiring', 'security.exposed.base.env', 'security.cors.base']);
    expect(run?.results?.map((r) => r.ruleId)).toEqual(['security.headers.base.grade', 'security.headers.base.content-security-policy', 'security.tls.base.cert-expiring']);
    expect(run?.automationDetails?.id).toBe('pdv/staging');
  });

  it('every result points at the repository file (and line) that defines its check, with the URL in the message', () => {
    for (const r of log.runs[0]?.results ?? []) {
      const loc = r.locations?.[0]?.physicalLocation;
      const uri = loc?.artifactLocation?.uri ?? '';
      expect(uri).toMatch(/^security\/[a-z-]+\.json$/);
      expect(existsSync(join(REPO_ROOT, uri))).toBe(true);
      const line = readFileSync(join(REPO_ROOT, uri), 'utf8').split('\n')[(loc?.region?.startLine ?? 0) - 1] ?? '';
      expect(line).toContain(`"key": "${r.ruleId?.replace(/^security\.(\w[\w-]*)\.base\./, '$1.')}"`);
      expect(r.message.text).toMatch(/https:\/\/app\.test/);
    }
  });

  it('levels and security-severity follow the check severity', () => {
    const rules = log.runs[0]?.tool.driver.rules ?? [];
    expect(rules.find((r) => r.id === 'security.headers.base.grade')?.properties?.['security-severity']).toBe('7.5');
    expect(rules.find((r) => r.id === 'security.exposed.base.env')?.properties?.['security-severity']).toBe('9.5');
    expect(log.runs[0]?.results?.find((r) => r.ruleId === 'security.headers.base.content-security-policy')?.level).toBe('warning');
  });

  it('imported findings point at the scanner rules file', async () => {
    const imported = importChecks({ file: '/tmp/zap.json', format: 'zap', tool: 'ZAP', findings: [{ ruleId: '10038', title: 'CSP not set', rawSeverity: '2', severity: 'major', errored: false, targets: ['https://app.test/'], message: 'CSP header not set', count: 1 }], ignored: 0 });
    const sarif = buildSarif(imported, { toolVersion: '0.1.0' });
    expect(validate(sarif)).toBe(true);
    const r = sarif.runs[0]?.results?.[0];
    expect(r?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('security/scanners/zap.json');
    expect(r?.message.text).toContain('https://app.test/');
  });
});
