import type { CheckResult, Reason, VerdictReport } from '../core/types.ts';
import { SCHEMA_VERSION } from '../core/types.ts';

// Hand-made VerdictReports for the reporter tests (what the lead's replay builds).

const T0 = Date.parse('2026-11-26T04:00:00.000Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();

export function check(over: Partial<CheckResult> & Pick<CheckResult, 'id'>): CheckResult {
  const stage = over.stage ?? over.id.split('.')[0] ?? 'smoke';
  // A fixture may leave a failed check without a message, to test how reports say so.
  return { stage, title: over.id, severity: 'major', status: 'passed', durationMs: 120, attempts: 1, evidence: [], ...over } as CheckResult;
}

export function reason(c: CheckResult, effect: Reason['effect'], message = c.message ?? c.status): Reason {
  return { checkId: c.id, stage: c.stage, severity: c.severity, status: c.status, message, effect };
}

function counts(checks: CheckResult[]): VerdictReport['counts'] {
  const out = { passed: 0, failed: 0, flaky: 0, skipped: 0, errored: 0 };
  for (const c of checks) out[c.status]++;
  return out;
}

export function report(over: Partial<VerdictReport> = {}): VerdictReport {
  const checks = over.checks ?? [
    check({ id: 'smoke.health', title: 'Deep health is ok', severity: 'critical' }),
    check({ id: 'smoke.version', title: 'Live version is the expected one', severity: 'critical' }),
    check({ id: 'uat.login', title: 'Editor logs in', stage: 'uat', durationMs: 2300 }),
  ];
  return {
    schemaVersion: SCHEMA_VERSION,
    runId: '20261126-040000-abcd',
    verdict: 'stand',
    partial: false,
    reasons: [],
    warnings: [],
    stages: [
      { name: 'smoke', status: 'passed', durationMs: 1500, startedAt: at(100) },
      { name: 'uat', status: 'passed', durationMs: 4000, startedAt: at(1700) },
    ],
    checks,
    target: { environment: 'staging', baseUrl: 'http://127.0.0.1:4100', apiUrl: 'http://127.0.0.1:4100/api', expectedVersion: '1.4.2', observedVersion: '1.4.2', deployId: 'deploy-77' },
    startedAt: at(0),
    finishedAt: at(6000),
    durationMs: 6000,
    artifacts: [],
    actions: [],
    counts: counts(checks),
    extras: {},
    ...over,
    ...(over.checks && !over.counts ? { counts: counts(over.checks) } : {}),
  };
}

const failedHealth = check({
  id: 'smoke.health',
  title: 'Deep health is ok',
  severity: 'critical',
  onFail: 'rollback',
  status: 'failed',
  attempts: 3,
  message: 'GET /health → 503 {"status":"down"}',
  evidence: [
    { kind: 'file', label: 'screenshot', path: 'smoke/health.png', contentType: 'image/png' },
    { kind: 'http', label: 'GET /health', data: { status: 503, body: { status: 'down' } } },
  ],
});
const minorFail = check({ id: 'smoke.favicon', title: 'Favicon', severity: 'minor', status: 'failed', message: 'missing favicon' });

export const rollbackReport = report({
  verdict: 'rollback',
  checks: [failedHealth, minorFail, check({ id: 'smoke.version', title: 'Version', severity: 'critical' })],
  // Deliberately out of order: builders sort most severe first.
  reasons: [reason(minorFail, 'warn'), reason(failedHealth, 'rollback')],
  stages: [
    { name: 'smoke', status: 'failed', durationMs: 900, startedAt: at(50) },
    { name: 'uat', status: 'skipped', durationMs: 0, message: 'skipped: fail fast' },
  ],
});

const erroredMetric = check({ id: 'metrics.error-rate', stage: 'metrics', title: 'Error rate under 1%', severity: 'major', status: 'errored', message: 'Prometheus unreachable: ECONNREFUSED' });
export const holdReport = report({
  verdict: 'hold',
  checks: [check({ id: 'smoke.health', severity: 'critical' }), erroredMetric],
  reasons: [reason(erroredMetric, 'hold')],
  stages: [
    { name: 'smoke', status: 'passed', durationMs: 800 },
    { name: 'metrics', status: 'errored', durationMs: 3000 },
  ],
});

const flaky = check({ id: 'uat.upload', stage: 'uat', title: 'Script upload', status: 'flaky', attempts: 2, message: 'timeout on first attempt' });
const quarantined = check({ id: 'uat.render', stage: 'uat', title: 'Render storyboard', status: 'failed', quarantine: { owner: 'qa-team', expires: '2026-12-01', reason: 'JIRA-12' }, message: 'render stuck at 90%' });
const dry = check({ id: 'load.p99', stage: 'load', title: 'p99 < 800 ms', status: 'failed', dryRun: true, observed: 950, limit: 800, unit: 'ms' });
const warnFail = check({ id: 'security.headers', stage: 'security', title: 'HSTS header', severity: 'minor', onFail: 'warn', status: 'failed', message: 'no Strict-Transport-Security' });
export const warningsReport = report({
  verdict: 'stand',
  checks: [check({ id: 'smoke.health', severity: 'critical' }), flaky, quarantined, dry, warnFail],
  warnings: [reason(warnFail, 'warn'), reason(flaky, 'warn', 'passed on retry')],
  stages: [
    { name: 'smoke', status: 'passed', durationMs: 500 },
    { name: 'uat', status: 'passed', durationMs: 7000 },
    { name: 'load', status: 'passed', durationMs: 30000 },
    { name: 'security', status: 'passed', durationMs: 2000 },
  ],
});

export const partialReport = report({ partial: true, checks: [check({ id: 'uat.login', stage: 'uat' })], stages: [{ name: 'uat', status: 'passed', durationMs: 3000 }] });

export const failedRollbackReport = report({
  ...rollbackReport,
  actions: [
    {
      kind: 'rollback',
      name: 'github-workflow',
      status: 'failed',
      startedAt: at(7000),
      durationMs: 4200,
      attempts: [
        { at: at(7000), ok: false, message: 'HTTP 502 from api.github.com', durationMs: 2000 },
        { at: at(9000), ok: false, message: 'HTTP 502 from api.github.com', durationMs: 2200 },
      ],
      message: 'workflow dispatch failed after 2 attempts',
      details: { workflow: 'rollback.yml' },
    },
  ],
});

export const extrasReport = report({
  extras: {
    load: { p50: 12, p99: 180, rps: 95 },
    mystery: { note: '<img src=x onerror=alert(1)>', nested: { a: [1, 2, 3] } },
  },
});

/** A check message and title straight from a hostile target. */
export const hostileReport = report({
  verdict: 'rollback',
  checks: [
    check({
      id: 'smoke.home',
      title: 'Home <b>renders</b> & "quotes"',
      severity: 'critical',
      status: 'failed',
      message: '<script>alert(1)</script> & ]]> \u0001 control',
      evidence: [
        { kind: 'link', label: 'evil link', url: 'javascript:alert(1)' },
        { kind: 'file', label: 'escape', path: '../../etc/passwd' },
        { kind: 'text', label: 'body', text: '</pre><script>alert(2)</script>' },
      ],
    }),
  ],
  reasons: [{ checkId: 'smoke.home', stage: 'smoke', severity: 'critical', status: 'failed', message: '<script>alert(1)</script>', effect: 'rollback' }],
  target: { environment: 'staging<script>', baseUrl: 'http://127.0.0.1:1/?q=<x>' },
});

export const CASES: Array<[string, VerdictReport]> = [
  ['stand', report()],
  ['rollback (failed critical)', rollbackReport],
  ['hold (errored)', holdReport],
  ['flaky + quarantined + dry-run warnings', warningsReport],
  ['partial', partialReport],
  ['failed rollback action', failedRollbackReport],
  ['extras', extrasReport],
  ['hostile values', hostileReport],
];
