import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDemo, type DemoHandle } from '../demo/launch.ts';
import type { CheckResult } from '../src/core/types.ts';
import { loadStage } from '../src/stages/load/index.ts';
import type { LoadSummary } from '../src/stages/load/results.ts';
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
    config: { stages: { load: { baseline: { enabled: false }, ...extra } } },
  });
  // The shared helper builds the environment; load needs the loopback host on the allow-list.
  ctx.config.environment.allowedHosts = ['127.0.0.1'];
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
