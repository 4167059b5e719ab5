import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { VerdictReport } from '../src/core/types.ts';
import { validateVerdict } from '../src/reporters/schema.ts';
import { readVerdict, runCli } from './helpers/cli.ts';
import { skipWithoutPostgres, startPostgres } from './helpers/postgres.ts';
import { skipWithoutRedis } from './helpers/redis.ts';

// Issue 15's demo faults on the real CLI: the app's own log file read by the
// metrics stage (new-errors), and the demo's real redis-server probed directly
// by the smoke stage while /health says ok (cache-down).

const root = mkdtempSync(join(tmpdir(), 'pdv-demo-evidence-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function demo(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; verdict: VerdictReport; out: string; output: string }> {
  const out = join(root, `run-${Math.random().toString(36).slice(2)}`);
  const result = await runCli(['demo', ...args, '--out', out], { env });
  if (!existsSync(join(out, 'verdict.json'))) throw new Error(`no verdict.json (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  const verdict = readVerdict(out);
  expect(validateVerdict(verdict)).toEqual({ ok: true });
  return { code: result.code, verdict, out, output: result.stdout + result.stderr };
}

const status = (v: VerdictReport, id: string): string | undefined => v.checks.find((c) => c.id === id)?.status;

describe('pdv demo: logs', () => {
  it('healthy: the log checks pass against the previous release’s minute, and the report has a Logs section', async () => {
    const { code, verdict, out, output } = await demo(['--stage', 'smoke', 'metrics']);
    expect(verdict.reasons, output).toEqual([]);
    expect(code).toBe(0);
    expect(status(verdict, 'metrics.logs.app.error-rate')).toBe('passed');
    expect(status(verdict, 'metrics.logs.app.new-signatures')).toBe('passed');
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('<h3>Logs</h3>');
    expect(html).toContain('No error signature appeared after the deploy');
  }, 240_000);

  it('new-errors → rollback naming the new signature, listed in the report with its count', async () => {
    const { code, verdict, out } = await demo(['--fault', 'new-errors', '--stage', 'smoke', 'metrics']);
    expect(code).toBe(1);
    expect(verdict.verdict).toBe('rollback');
    const ids = verdict.reasons.map((r) => r.checkId);
    expect(ids).toContain('metrics.logs.app.new-signatures');
    expect(verdict.reasons.find((r) => r.checkId === 'metrics.logs.app.new-signatures')?.message).toContain('TypeError: Cannot read properties of undefined (reading <str>) in render job <n>');
    expect(status(verdict, 'smoke.readiness')).toBe('passed');
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('New error signatures');
    expect(html).toContain('in render job &lt;n&gt;');
  }, 240_000);
});

describe.skipIf(skipWithoutRedis())('pdv demo: the cache, probed directly', () => {
  it('healthy: smoke.dependency.cache passes', async () => {
    const { code, verdict } = await demo(['--stage', 'smoke']);
    expect(code).toBe(0);
    expect(status(verdict, 'smoke.dependency.cache')).toBe('passed');
  }, 240_000);

  it('cache-down → rollback naming smoke.dependency.cache, while /health still says ok', async () => {
    const { code, verdict } = await demo(['--fault', 'cache-down', '--stage', 'smoke']);
    expect(code).toBe(1);
    expect(verdict.verdict).toBe('rollback');
    expect(verdict.reasons[0]?.checkId).toBe('smoke.dependency.cache');
    expect(status(verdict, 'smoke.readiness')).toBe('passed');
  }, 240_000);
});

describe.skipIf(skipWithoutPostgres())('pdv demo on a real PostgreSQL: the live migration, probed directly', () => {
  it('healthy: smoke.dependency.db passes; migration-behind → rollback naming it', async () => {
    const pg = await startPostgres();
    try {
      await pg.query('create database demo_ok');
      await pg.query('create database demo_behind');
      const ok = await demo(['--stage', 'smoke'], { DATABASE_URL: pg.urlFor('demo_ok') });
      expect(ok.verdict.reasons, ok.output).toEqual([]);
      expect(status(ok.verdict, 'smoke.dependency.db')).toBe('passed');

      const { code, verdict } = await demo(['--fault', 'migration-behind', '--stage', 'smoke'], { DATABASE_URL: pg.urlFor('demo_behind') });
      expect(code).toBe(1);
      expect(verdict.verdict).toBe('rollback');
      expect(verdict.reasons[0]?.checkId).toBe('smoke.dependency.db');
      expect(verdict.reasons[0]?.message).toMatch(/behind the release/);
      expect(status(verdict, 'smoke.readiness')).toBe('passed');
    } finally {
      await pg.stop();
    }
  }, 300_000);

  it('migration-behind without DATABASE_URL is a usage error, nothing started', async () => {
    const result = await runCli(['demo', '--fault', 'migration-behind', '--out', join(root, 'nope')], { env: { DATABASE_URL: '' } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('DATABASE_URL');
    expect(existsSync(join(root, 'nope'))).toBe(false);
  });
});
