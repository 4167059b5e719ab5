import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateVerdict } from '../src/reporters/schema.ts';
import type { VerdictReport } from '../src/core/types.ts';
import { readVerdict, runCli } from './helpers/cli.ts';

// The foundation's demo faults, end to end on the real CLI: exit code and verdict.json.

const root = mkdtempSync(join(tmpdir(), 'pdv-demo-smoke-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CANARIES = {
  DEMO_ADMIN_PASSWORD: 'canary-admin-Zq81',
  DEMO_EDITOR_PASSWORD: 'canary-editor-Xw27',
  DEMO_VIEWER_PASSWORD: 'canary-viewer-Kp55',
};

async function demo(args: string[]): Promise<{ code: number | null; verdict: VerdictReport; out: string; output: string }> {
  const out = join(root, `run-${Math.random().toString(36).slice(2)}`);
  const result = await runCli(['demo', ...args, '--out', out], { env: CANARIES });
  if (!existsSync(join(out, 'verdict.json'))) throw new Error(`no verdict.json (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  const verdict = readVerdict(out);
  expect(validateVerdict(verdict)).toEqual({ ok: true });
  return { code: result.code, verdict, out, output: result.stdout + result.stderr };
}

/** Every file under the run folder, as text (binary files too: a secret is bytes). */
function allText(dir: string): string {
  let text = '';
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) text += readFileSync(join(entry.parentPath, entry.name)).toString('latin1');
  }
  return text;
}

describe('pdv demo: smoke faults', () => {
  it('health-down → rollback at once, the reason names the health check, later stages skipped', async () => {
    const { code, verdict } = await demo(['--fault', 'health-down']);
    expect(code).toBe(1);
    expect(verdict.verdict).toBe('rollback');
    expect(verdict.reasons[0]?.checkId).toMatch(/^smoke\.(readiness|deep-health)$/);
    expect(verdict.reasons[0]?.message).toMatch(/health/i);
    const later = verdict.stages.filter((s) => s.name !== 'smoke');
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((s) => s.status === 'skipped')).toBe(true);
  });

  it('stale-version → rollback (the old build is still live)', async () => {
    const { code, verdict } = await demo(['--fault', 'stale-version']);
    expect(code).toBe(1);
    expect(verdict.reasons.map((r) => r.checkId)).toContain('smoke.live-version');
    expect(verdict.target.observedVersion).toBe('1.3.2');
  });

  it('flag-drift → rollback (an experimental flag is on)', async () => {
    const { code, verdict } = await demo(['--fault', 'flag-drift']);
    expect(code).toBe(1);
    expect(verdict.reasons.map((r) => r.checkId)).toContain('smoke.feature-flags');
  });

  it('slow-start → stand (health says "starting" for a few seconds, then fine)', async () => {
    const { code, verdict } = await demo(['--fault', 'slow-start', '--stage', 'smoke']);
    expect(verdict.reasons).toEqual([]);
    expect(code).toBe(0);
    expect(verdict.checks.find((c) => c.id === 'smoke.readiness')?.status).toBe('passed');
  });

  it('integration-down → hold (the sandbox is down; not the deploy’s fault)', async () => {
    const { code, verdict } = await demo(['--fault', 'integration-down', '--stage', 'smoke']);
    expect(code).toBe(2);
    expect(verdict.verdict).toBe('hold');
    expect(verdict.reasons.map((r) => r.checkId)).toEqual(['smoke.integration-probe']);
  });

  it('an unknown fault is a usage error', async () => {
    const result = await runCli(['demo', '--fault', 'no-such-fault', '--out', join(root, 'nope')]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('no-such-fault');
    expect(existsSync(join(root, 'nope'))).toBe(false);
  });
});

describe('pdv demo: healthy', () => {
  it('stands, and stays stand over repeated runs; no secret reaches any file or the terminal', async () => {
    for (let i = 0; i < 2; i++) {
      const { code, verdict, out, output } = await demo([]);
      expect(verdict.reasons).toEqual([]);
      expect(verdict.verdict).toBe('stand');
      expect(code).toBe(0);
      expect(verdict.partial).toBe(false);
      expect(verdict.checks.length).toBeGreaterThan(5);
      const text = allText(out) + output;
      for (const canary of Object.values(CANARIES)) expect(text).not.toContain(canary);
    }
  }, 480_000);
});
