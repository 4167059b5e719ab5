import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDemo, type DemoHandle } from '../demo/launch.ts';
import type { CheckResult } from '../src/core/types.ts';
import { loadStage } from '../src/stages/load/index.ts';
import type { LoadSummary } from '../src/stages/load/results.ts';
import { readVerdict, REPO, runCli } from './helpers/cli.ts';
import { makeStageContext } from './helpers/stage-context.ts';

// The load stage against the real demo with each load fault. Driven through
// the stage with a hand-built context; the expected verdict follows from the
// checks through the default policy (failed major rollback-check → rollback).

const SECRETS = {
  DEMO_ADMIN_PASSWORD: `adm-load-${process.pid}-K7`,
  DEMO_EDITOR_PASSWORD: `edt-load-${process.pid}-K7`,
  DEMO_VIEWER_PASSWORD: `vwr-load-${process.pid}-K7`,
};

let demo: DemoHandle | undefined;
afterEach(async () => {
  await demo?.stop();
  demo = undefined;
});

async function runLoadAgainst(faults: string[], extra: Record<string, unknown> = {}) {
  demo = await startDemo({ faults, env: SECRETS });
  const ctx = await makeStageContext({
    target: { environment: 'staging', baseUrl: demo.baseUrl, apiUrl: demo.apiUrl },
    secrets: SECRETS,
    // The suite runs two files at once on two cores: the engine's own send-lag bound (which makes a
    // noisy run errored, not judged) is widened here so the faults' latencies are what gets judged.
    config: { stages: { load: { scenario: 'perf/scenarios/staging.ts', baseline: { enabled: false }, maxSendLag: '2s', ...extra } } },
  });
  // The shared helper builds the environment; load needs the loopback host on the allow-list.
  ctx.settings.environment.allowedHosts = ['127.0.0.1'];
  await loadStage.run(ctx);
  const extra_ = ctx.events.find((e) => e.type === 'extra' && e.key === 'load');
  const summary = (extra_ && 'value' in extra_ ? extra_.value : undefined) as LoadSummary | undefined;
  return { ctx, summary, checks: ctx.checks };
}

const byId = (checks: CheckResult[], id: string): CheckResult | undefined => checks.find((c) => c.id === id);
/** Default policy, reduced to what load checks can trigger. */
function verdictOf(checks: CheckResult[]): 'stand' | 'rollback' | 'hold' {
  const failing = (c: CheckResult) => c.status === 'failed' && (c.onFail ?? (c.severity === 'minor' ? 'warn' : 'rollback')) === 'rollback';
  if (checks.some((c) => failing(c) && c.severity !== 'minor')) return 'rollback';
  if (checks.some((c) => (c.status === 'errored' && c.severity !== 'minor') || (c.status === 'failed' && c.onFail === 'hold'))) return 'hold';
  return 'stand';
}

const LIST_P95 = 'load.threshold.http-req-duration-name-list-projects.p-95-lt-250';
const P99 = 'load.threshold.http-req-duration-expected-response-true.p-99-lt-700';
const FAILED = 'load.threshold.http-req-failed.rate-lt-0_01';

describe('load stage against the demo', () => {
  it('slow-api: the p95 threshold of "list projects" fails → rollback', async () => {
    const { checks, summary } = await runLoadAgainst(['slow-api']);
    if (process.env.PDV_DEBUG) console.log(checks.map((c) => `${c.id} ${c.status} ${c.message}`).join('\n'), JSON.stringify({ ...summary, histogram: undefined, series: undefined }, null, 1));
    expect(byId(checks, LIST_P95)?.status).toBe('failed');
    expect(byId(checks, LIST_P95)?.observed).toBeGreaterThanOrEqual(300);
    expect(byId(checks, FAILED)?.status).toBe('passed');
    expect(verdictOf(checks)).toBe('rollback');
    expect(summary?.requests.find((r) => r.name === 'list projects')?.corrected.p50).toBeGreaterThanOrEqual(300);
  });

  it('error-burst: http_req_failed fails → rollback', async () => {
    const { checks, summary } = await runLoadAgainst(['error-burst']);
    expect(byId(checks, FAILED)?.status).toBe('failed');
    expect(summary?.statusCodes['500']).toBeGreaterThan(0);
    expect(verdictOf(checks)).toBe('rollback');
  });

  it('stall: corrected p99 fails → rollback, while the uncorrected view is smaller', async () => {
    const { checks, summary } = await runLoadAgainst(['stall']);
    expect(byId(checks, P99)?.status).toBe('failed');
    expect(verdictOf(checks)).toBe('rollback');
    expect(summary!.latency.corrected.p99).toBeGreaterThanOrEqual(summary!.latency.uncorrected.p99);
  });

  it('no fault: stands across repeated runs, artifacts and secrets handled', async () => {
    for (let i = 0; i < 2; i++) {
      const { checks, summary, ctx } = await runLoadAgainst([], { duration: '4s' });
      const bad = checks.filter((c) => c.status === 'failed' || c.status === 'errored');
      expect(bad.map((c) => `${c.id}: ${c.message}`)).toEqual([]);
      expect(verdictOf(checks)).toBe('stand');
      expect(summary?.completed).toBeGreaterThan(100);
      expect(ctx.artifacts.map((a) => a.path)).toContain('load/histograms.json');
      const raw = await readFile(join(ctx.runDir, 'load/histograms.json'), 'utf8');
      for (const secret of Object.values(SECRETS)) expect(raw).not.toContain(secret);
      expect(raw).not.toMatch(/Bearer [A-Za-z0-9]/);
    }
  });
});

describe('pdv load through the CLI', () => {
  async function writeConfig(dir: string, baseUrl: string): Promise<string> {
    const file = join(dir, 'pdv.config.ts');
    await writeFile(
      file,
      `import { defineConfig } from ${JSON.stringify(join(REPO, 'src/config/index.ts'))};
export default defineConfig({
  environments: { staging: { baseUrl: ${JSON.stringify(baseUrl)}, credentials: {
    editor: { username: 'editor@studio.test', passwordEnv: 'DEMO_EDITOR_PASSWORD' },
    viewer: { username: 'viewer@studio.test', passwordEnv: 'DEMO_VIEWER_PASSWORD' } },
    auth: { type: 'json', url: '/api/login', tokenPath: 'token' }, allowedHosts: ['127.0.0.1'] } },
  stages: { load: { scenario: ${JSON.stringify(join(REPO, 'perf/scenarios/staging.ts'))}, duration: '3s' } },
  reportsDir: 'reports',
});
`,
    );
    return file;
  }

  it('two segments merge into the whole schedule, histograms added exactly', async () => {
    demo = await startDemo({ env: SECRETS });
    const dir = await mkdtemp(join(tmpdir(), 'pdv-load-cli-'));
    const cfg = await writeConfig(dir, demo.baseUrl);
    // One start instant for both (pdv merge refuses segments whose schedules started apart).
    const startAt = new Date(Date.now() + 30_000).toISOString();
    const seg = async (i: number) => runCli(['run', 'load', '--config', cfg, '--segment', `${i}/2`, '--start-at', startAt, '--out', join(dir, `seg${i}`)], { cwd: dir, env: SECRETS });
    const [a, b] = await Promise.all([seg(1), seg(2)]);
    expect([a.code, b.code].every((c) => c !== null && c <= 2), `${a.stderr}\n${b.stderr}`).toBe(true);
    const merged = await runCli(['merge', join(dir, 'seg1'), join(dir, 'seg2'), '--config', cfg, '--out', join(dir, 'merged')], { cwd: dir, env: SECRETS });
    expect(merged.code === null ? -1 : merged.code).toBeLessThanOrEqual(2);
    const load = (d: string) => readVerdict(join(dir, d)).extras.load as LoadSummary;
    const [s1, s2, m] = [load('seg1'), load('seg2'), load('merged')];
    expect(s1.planned + s2.planned).toBe(120); // 40 req/s × 3 s
    expect(m.planned).toBe(120);
    expect(m.completed).toBe(s1.completed + s2.completed);
    expect(m.segments).toBe(2);
    const v = readVerdict(join(dir, 'merged'));
    expect(v.checks.find((c) => c.id === 'load.merge')?.status).toBe('passed');
    expect(v.checks.some((c) => c.id.startsWith('load.threshold.'))).toBe(true);
    expect(v.artifacts.some((x) => x.path === 'load/histograms.json')).toBe(true);
  });

  it('import-k6: a malformed summary exits 3; export-k6 writes the script and the TestRun', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pdv-k6-cli-'));
    const cfg = await writeConfig(dir, 'http://127.0.0.1:9');
    await writeFile(join(dir, 'bad.json'), '{"metrics": {"http_reqs": {}}}');
    const bad = await runCli(['load', 'import-k6', join(dir, 'bad.json'), '--config', cfg], { cwd: dir });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('bad.json');
    const exp = await runCli(['load', 'export-k6', '--config', cfg, '--out', join(dir, 'k6'), '--parallelism', '3'], { cwd: dir });
    expect(exp.code).toBe(0);
    const script = await readFile(join(dir, 'k6', 'pdv-staging-api.k6.js'), 'utf8');
    expect(script).toContain('"http_req_duration{name:list projects}"');
    expect(await readFile(join(dir, 'k6', 'pdv-staging-api.testrun.yaml'), 'utf8')).toContain('parallelism: 3');
  });
});

describe('a bad scenario is a plan-time usage error', () => {
  it('p(101)<10: exit 3 before smoke sends anything, no run folder written', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const dir = await mkdtemp(join(tmpdir(), 'pdv-load-plan-cli-'));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await writeFile(
        join(dir, 'bad.ts'),
        `export default { scenarios: { api: { executor: 'constant-arrival-rate', rate: 5, duration: '1s', requests: [{ name: 'home', path: '/' }] } }, thresholds: { http_req_duration: ['p(101)<10'] } };\n`,
      );
      await writeFile(
        join(dir, 'pdv.config.ts'),
        `export default { stageOrder: ['smoke', 'load'], environments: { staging: { baseUrl: ${JSON.stringify(url)}, allowedHosts: ['127.0.0.1'] } }, stages: { load: { scenario: 'bad.ts' } }, reportsDir: 'reports' };\n`,
      );
      const out = join(dir, 'out');
      const res = await runCli(['verify', '--config', join(dir, 'pdv.config.ts'), '--out', out], { cwd: dir });
      expect(res.code, res.stderr).toBe(3);
      expect(res.stderr).toContain('bad.ts');
      expect(res.stderr).toContain('percentile');
      expect(hits).toBe(0);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(join(dir, 'reports'))).toBe(false);
    } finally {
      await new Promise((r) => server.close(r));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
