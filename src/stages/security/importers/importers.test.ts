import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../definitions.ts';
import { securityConfigSchema, type SecurityConfig } from '../config.ts';
import { UsageError } from '../../../core/errors.ts';
import { importChecks } from './checks.ts';
import { loadScannerFiles } from './index.ts';

const FIX = join(REPO_ROOT, 'security/fixtures');

function config(security: Record<string, unknown> = {}): SecurityConfig {
  return securityConfigSchema.parse(security);
}

const load = async (file: string, security: Record<string, unknown> = {}) => (await loadScannerFiles([join(FIX, file)], config(security), REPO_ROOT))[0];

describe('scanner imports: good files', () => {
  it('ZAP baseline: one check per alert, riskcode mapped, informational ignored', async () => {
    const imp = await load('zap-baseline.json');
    expect(imp).toMatchObject({ format: 'zap', tool: 'ZAP', toolVersion: '2.15.0', ignored: 1 });
    const by = Object.fromEntries((imp?.findings ?? []).map((f) => [f.ruleId, f]));
    expect(by['10038']).toMatchObject({ severity: 'major', count: 2 });
    expect(by['10010']?.severity).toBe('minor');
    expect(by['10109']).toBeUndefined();
  });

  it('testssl.sh --jsonfile: LOW/MEDIUM findings become checks, OK/INFO/WARN do not', async () => {
    const imp = await load('testssl.json');
    expect(imp?.findings.map((f) => [f.ruleId, f.severity]).sort()).toEqual([['BREACH', 'minor'], ['LUCKY13', 'minor'], ['TLS1', 'minor'], ['TLS1_1', 'minor']]);
    expect(imp?.ignored).toBe(11);
  });

  it('testssl.sh --jsonfile-pretty: nested sections are read (expired cert → critical)', async () => {
    const imp = await load('testssl-pretty.json');
    const by = Object.fromEntries((imp?.findings ?? []).map((f) => [f.ruleId, f.severity]));
    expect(by).toEqual({ SSLv3: 'major', cert_expirationStatus: 'critical', POODLE_SSL: 'major' });
  });

  it('npm audit (v7+): one check per package, GHSA overrides work', async () => {
    const imp = await load('npm-audit.json', { severityOverrides: { 'npm-audit:GHSA-7fh5-64p2-3v2j': 'ignore', 'npm-audit:ws': { severity: 'major', onFail: 'hold' } } });
    const by = Object.fromEntries((imp?.findings ?? []).map((f) => [f.ruleId, f]));
    expect(by['cross-spawn']?.severity).toBe('major');
    expect(by.postcss).toBeUndefined();
    expect(by['resolve-url-loader']?.severity).toBe('minor');
    expect(by.ws).toMatchObject({ severity: 'major', onFail: 'hold' });
  });

  it('SARIF: security-severity decides, pass results are not findings, overrides by rule id', async () => {
    const imp = await load('semgrep.sarif');
    const by = Object.fromEntries((imp?.findings ?? []).map((f) => [f.ruleId.split('.').pop(), f]));
    expect(by['express-open-redirect']?.severity).toBe('minor');
    expect(by['hardcoded-hmac-key']).toMatchObject({ severity: 'critical', count: 1 });
    const over = await load('semgrep.sarif', { severityOverrides: { 'sarif:javascript.express.security.audit.express-open-redirect.express-open-redirect': 'critical' } });
    expect(over?.findings.find((f) => f.ruleId.endsWith('express-open-redirect'))?.severity).toBe('critical');
  });

  it('findings become failed checks with stable ids, plus one passed check per file', async () => {
    const checks = importChecks((await load('zap-baseline.json'))!);
    expect(checks.map((c) => [c.id, c.status, c.severity])).toEqual([
      ['security.import.zap.file-zap-baseline-json', 'passed', 'minor'],
      ['security.import.zap.10038', 'failed', 'major'],
      ['security.import.zap.10010', 'failed', 'minor'],
      ['security.import.zap.10036', 'failed', 'minor'],
    ]);
    expect(checks[1]?.message).toContain('https://staging.studio.example/login');
  });

  it('a file claimed with format:path must be that format', async () => {
    await expect(loadScannerFiles([`zap:${join(FIX, 'npm-audit.json')}`], config(), REPO_ROOT)).rejects.toThrow(/claims to be zap but looks like npm-audit/);
    const [imp] = await loadScannerFiles([`npm-audit:${join(FIX, 'npm-audit.json')}`], config(), REPO_ROOT);
    expect(imp?.format).toBe('npm-audit');
  });

  it('config imports resolve against the config folder and are not loaded twice', async () => {
    const out = await loadScannerFiles([join(FIX, 'testssl.json')], config({ imports: ['security/fixtures/testssl.json', { path: 'security/fixtures/zap-baseline.json', format: 'zap' }] }), REPO_ROOT);
    expect(out.map((i) => i.format)).toEqual(['testssl', 'zap']);
  });
});

describe('scanner imports: files that are not what they claim → UsageError naming the file', () => {
  it.each([
    ['missing.json', /not found/],
    ['bad/empty.json', /empty/],
    ['bad/truncated.json', /not JSON/],
    ['bad/npm-audit-v6.json', /npm 6 audit format/],
    ['bad/sarif-2.0.json', /SARIF version must be "2\.1\.0"/],
    ['bad/zap-bad-riskcode.json', /riskcode must be 0-3/],
    ['bad/testssl-bad-severity.json', /"SEVERE" is not a testssl\.sh severity/],
    ['bad/not-a-report.json', /unrecognised JSON shape/],
    ['bad/sarif-no-driver.sarif', /tool\.driver\.name is required/],
  ])('%s', async (file, problem) => {
    const err = await loadScannerFiles([join(FIX, file)], config(), REPO_ROOT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(problem);
    expect((err as Error).message).toContain(join(FIX, file));
  });

  it('validates every file up front: one bad file fails the whole set', async () => {
    await expect(loadScannerFiles([join(FIX, 'zap-baseline.json'), join(FIX, 'bad/empty.json')], config(), REPO_ROOT)).rejects.toBeInstanceOf(UsageError);
  });
});
