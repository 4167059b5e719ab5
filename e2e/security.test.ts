import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type DemoHandle } from '../demo/launch.ts';
import { policy } from '../src/core/policy.ts';
import type { CheckResult, VerdictReport } from '../src/core/types.ts';
import { presentedCertificatePem } from '../src/http/pin.ts';
import { securityStage } from '../src/stages/security/index.ts';
import { readVerdict, REPO, runCli } from './helpers/cli.ts';
import { DEMO_TARGET, makeStageContext } from './helpers/stage-context.ts';

// The security stage against the real demo (HTTP + HTTPS listeners), once per
// fault of issue 5, asserting the verdict the policy gives its checks; then
// the real CLI (`pdv run security --import …`) for security.sarif, extras and
// exit codes.

const PASSWORDS = { DEMO_ADMIN_PASSWORD: 'e2e-admin-Pw-4821', DEMO_EDITOR_PASSWORD: 'e2e-editor-Pw-7730', DEMO_VIEWER_PASSWORD: 'e2e-viewer-Pw-1194' };
const CREDENTIALS = {
  admin: { username: 'admin@studio.test', passwordEnv: 'DEMO_ADMIN_PASSWORD' },
  editor: { username: 'editor@studio.test', passwordEnv: 'DEMO_EDITOR_PASSWORD' },
  editor2: { username: 'editor2@studio.test', passwordEnv: 'DEMO_EDITOR_PASSWORD' },
  viewer: { username: 'viewer@studio.test', passwordEnv: 'DEMO_VIEWER_PASSWORD' },
};
/** The access table the docs recommend for the demo. */
const ACCESS_RULES = [
  { method: 'GET', path: '/api/projects', role: 'anonymous', expect: [401, 403] },
  { method: 'GET', path: '/api/me', role: 'anonymous', expect: [401, 403] },
  { method: 'POST', path: '/api/projects', role: 'viewer', body: { title: 'pdv access probe' }, expect: 403 },
  { method: 'GET', path: '/api/users/{id:editor2}/settings', role: 'editor', expect: 403 },
  { method: 'GET', path: '/api/users/{id:editor}/settings', role: 'editor', expect: 200 },
];

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'pdv-security-e2e-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function securityConfig(demo: DemoHandle, caFile: string): Record<string, unknown> {
  return {
    httpsUrl: demo.httpsUrl,
    trustedCa: caFile,
    headers: { minimumGrade: 'B' },
    access: { rules: ACCESS_RULES },
    // The demo's endpoints, named as any target's would be: no probe runs at a default path.
    cors: { paths: ['/', '/api/me'] },
    openRedirect: { path: '/login', param: 'returnTo', form: { role: 'viewer', usernameField: 'email' } },
    rateLimit: { path: '/api/login' },
  };
}

async function withDemo<T>(faults: string[], fn: (demo: DemoHandle, caFile: string) => Promise<T>): Promise<T> {
  const demo = await startDemo({ faults, env: PASSWORDS, https: true });
  try {
    // The demo makes a fresh self-signed certificate at start; we started it, so we pin what it presents.
    const caFile = join(tmp, `ca-${demo.pid}.pem`);
    await writeFile(caFile, await presentedCertificatePem(demo.httpsUrl as string));
    return await fn(demo, caFile);
  } finally {
    await demo.stop();
  }
}

async function runStage(faults: string[]): Promise<{ checks: CheckResult[]; verdict: string; reasons: string[]; extra: unknown }> {
  return withDemo(faults, async (demo, caFile) => {
    const ctx = await makeStageContext({
      target: { environment: 'demo', baseUrl: demo.baseUrl, apiUrl: demo.apiUrl },
      secrets: PASSWORDS,
      config: { stages: { security: securityConfig(demo, caFile) } } as never,
      runDir: await mkdtemp(join(tmp, 'run-')),
    });
    // The helper knows three demo users; the access table needs editor2 too.
    ctx.settings.environment.credentials = { ...ctx.settings.environment.credentials, ...CREDENTIALS };
    await securityStage.run(ctx);
    const p = policy({ checks: ctx.checks, stages: [{ name: 'security', status: 'passed', durationMs: 0 }], required: ['security'] });
    const extra = ctx.events.find((e) => e.type === 'extra' && e.key === 'security');
    // The stage lists security.sarif; the reporters write it from the redacted report (the stage writes no report).
    expect(ctx.artifacts.map((a) => a.path)).toContain('security.sarif');
    expect(existsSync(join(ctx.runDir, 'security.sarif'))).toBe(false);
    // A bounded number (about 75 with content discovery, debug and TRACE probes), never a flood.
    expect((extra as { value: { requests: number } }).value.requests).toBeLessThan(100);
    // Secrets never reach what the stage emits.
    const emitted = JSON.stringify(ctx.events);
    for (const pw of Object.values(PASSWORDS)) expect(emitted).not.toContain(pw);
    return { checks: ctx.checks, verdict: p.verdict, reasons: p.reasons.map((r) => `${r.checkId}: ${r.message}`), extra: extra && 'value' in extra ? extra.value : undefined };
  });
}

const failed = (checks: CheckResult[]): string[] => checks.filter((c) => c.status === 'failed').map((c) => c.id).sort();

describe('security stage against the demo, fault by fault', { timeout: 240_000 }, () => {
  it('healthy: stands; grade B+ (80) ≥ B; only the missing HTTP→HTTPS redirect warns', async () => {
    const r = await runStage([]);
    expect(failed(r.checks)).toEqual(['security.headers.base.redirection']);
    expect(r.checks.filter((c) => c.status === 'errored').map((c) => c.id)).toEqual([]);
    expect(r.verdict).toBe('stand');
    expect(r.extra).toMatchObject({ grades: [{ site: 'base', grade: 'B+', score: 80, minimumGrade: 'B' }] });
    expect(r.checks.filter((c) => c.id.startsWith('security.access.')).map((c) => c.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);
  });

  it('missing-security-headers: rollback, the grade drops below the minimum', async () => {
    const r = await runStage(['missing-security-headers']);
    expect(r.verdict).toBe('rollback');
    const grade = r.checks.find((c) => c.id === 'security.headers.base.grade');
    expect(grade).toMatchObject({ status: 'failed', observed: 'F', limit: 'B' });
    expect(failed(r.checks)).toEqual(expect.arrayContaining(['security.headers.base.content-security-policy', 'security.headers.base.strict-transport-security', 'security.headers.base.x-frame-options']));
    expect(r.checks.find((c) => c.id === 'security.headers.base.x-frame-options')?.message).toMatch(/saw: not sent/);
  });

  it('weak-session-cookie: rollback (sid without HttpOnly; Secure is not asked over plain HTTP)', async () => {
    const r = await runStage(['weak-session-cookie']);
    expect(r.verdict).toBe('rollback');
    expect(r.checks.find((c) => c.id === 'security.cookies.session')).toMatchObject({ status: 'failed', severity: 'major' });
    expect(r.reasons.join('\n')).toMatch(/sid set without HttpOnly/);
  });

  it('exposed-env: rollback, critical, values kept out of the evidence', async () => {
    const r = await runStage(['exposed-env']);
    expect(r.verdict).toBe('rollback');
    const env = r.checks.find((c) => c.id === 'security.exposed.base.env');
    expect(env).toMatchObject({ status: 'failed', severity: 'critical' });
    const http = env?.evidence.find((e) => e.kind === 'http');
    expect(JSON.stringify(http)).toContain('SECRET_KEY=[REDACTED]');
    expect(JSON.stringify(r.checks)).not.toContain('fake-secret-key-0123456789abcdef');
  });

  it('cors-credentials-wildcard: rollback, critical', async () => {
    const r = await runStage(['cors-credentials-wildcard']);
    expect(r.verdict).toBe('rollback');
    expect(r.checks.find((c) => c.id === 'security.cors.base')).toMatchObject({ status: 'failed', severity: 'critical' });
    expect(r.reasons[0]).toMatch(/^security\.cors\.base: arbitrary Origin/);
  });

  it('expired-cert: rollback, critical', async () => {
    const r = await runStage(['expired-cert']);
    expect(r.verdict).toBe('rollback');
    expect(r.checks.find((c) => c.id === 'security.tls.base.cert-expired')).toMatchObject({ status: 'failed', severity: 'critical' });
  });

  it('cert-expiring: hold, with the days left in the reason', async () => {
    const r = await runStage(['cert-expiring']);
    expect(r.verdict).toBe('hold');
    expect(r.reasons).toEqual([expect.stringMatching(/^security\.tls\.base\.cert-expiring: certificate of https:\/\/127\.0\.0\.1:\d+ expires in [45] days/)]);
  });

  it('no-rate-limit: the rate-limit check fails with its configured severity', async () => {
    const r = await runStage(['no-rate-limit']);
    const rl = r.checks.find((c) => c.id === 'security.rate-limit.login');
    expect(rl).toMatchObject({ status: 'failed', severity: 'major', observed: 10 });
    expect(r.verdict).toBe('rollback');
  });
});

describe('pdv run security (the real CLI)', { timeout: 240_000 }, () => {
  async function configFile(demo: DemoHandle, caFile: string): Promise<string> {
    const file = join(tmp, `pdv-${demo.pid}.config.ts`);
    const cfg = { environments: { demo: { baseUrl: demo.baseUrl, credentials: CREDENTIALS, auth: DEMO_TARGET.auth } }, stages: { security: securityConfig(demo, caFile) }, reportsDir: join(tmp, 'reports') };
    await writeFile(file, `export default ${JSON.stringify(cfg, null, 2)};\n`);
    return file;
  }
  const fixture = (name: string): string => join(REPO, 'security/fixtures', name);

  it('imports scanner reports, writes security.sarif, extras and verdict; decides from findings', async () => {
    await withDemo([], async (demo, caFile) => {
      const cfg = await configFile(demo, caFile);
      const out = join(tmp, 'cli-run');
      const res = await runCli(['run', 'security', '--config', cfg, '--env', 'demo', '--out', out, '--import', fixture('zap-baseline.json'), fixture('npm-audit.json')], { env: PASSWORDS });
      // npm audit has a high (→ major) finding: rollback, exit 1.
      expect(res.code, res.stderr).toBe(1);
      const v: VerdictReport = readVerdict(out);
      expect(v.verdict).toBe('rollback');
      expect(v.checks.find((c) => c.id === 'security.import.npm-audit.cross-spawn')).toMatchObject({ status: 'failed', severity: 'major' });
      expect(v.checks.find((c) => c.id === 'security.import.zap.10038')).toMatchObject({ status: 'failed', severity: 'major' });
      expect(v.artifacts).toEqual(expect.arrayContaining([expect.objectContaining({ stage: 'security', path: 'security.sarif', kind: 'sarif' })]));
      expect(v.extras.security).toMatchObject({ grades: [{ grade: 'B+' }], imports: [{ format: 'zap' }, { format: 'npm-audit' }] });
      const sarif = JSON.parse(readFileSync(join(out, 'security.sarif'), 'utf8')) as { version: string; runs: Array<{ results: Array<{ ruleId: string; locations: unknown[] }> }> };
      expect(sarif.version).toBe('2.1.0');
      expect(sarif.runs[0]?.results.map((r) => r.ruleId)).toEqual(expect.arrayContaining(['security.import.npm-audit.cross-spawn', 'security.headers.base.redirection']));
      for (const r of sarif.runs[0]?.results ?? []) expect(r.locations).toHaveLength(1);
      const html = readFileSync(join(out, 'index.html'), 'utf8');
      expect(html).toContain('data-extra="security"');
      // Drawn by the security section (grade, per-test table), not the JSON fallback.
      expect(html).toContain('Headers and cookies — base');
      expect(html).toContain('csp-implemented-with-no-unsafe');
      const all = readFileSync(join(out, 'verdict.json'), 'utf8') + readFileSync(join(out, 'security.sarif'), 'utf8');
      for (const pw of Object.values(PASSWORDS)) expect(all).not.toContain(pw);
    });
  });

  it('pdv demo --stage security: the healthy demo stands with the default config', async () => {
    const out = join(tmp, 'demo-run');
    const res = await runCli(['demo', '--stage', 'security', '--out', out]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const v = readVerdict(out);
    expect(v.verdict).toBe('stand');
    expect(v.checks.filter((c) => c.stage === 'security' && c.status === 'errored').map((c) => c.id)).toEqual([]);
    expect(existsSync(join(out, 'security.sarif'))).toBe(true);
  });

  it('a scanner file that is not what it claims: exit 3, naming the file and the problem', async () => {
    const cfg = join(tmp, 'bad-import.config.ts');
    await writeFile(cfg, `export default ${JSON.stringify({ environments: { demo: { baseUrl: 'http://127.0.0.1:9' } }, reportsDir: join(tmp, 'reports-bad') })};\n`);
    const res = await runCli(['run', 'security', '--config', cfg, '--env', 'demo', '--import', fixture('bad/npm-audit-v6.json')]);
    expect(res.code).toBe(3);
    expect(res.stdout + res.stderr).toContain('npm-audit-v6.json');
    expect(res.stdout + res.stderr).toMatch(/npm 6 audit format/);
  });
});
