import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVerdict, runCli } from './helpers/cli.ts';

// Issue 13 items 3–6 through the real CLI: reports tell the truth or nothing,
// a run folder is never reused, waivers and durations that cannot hold are
// refused before anything is sent or written.

let dir: string;
let cfg: string;
let target: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pdv-failsafe-'));
  cfg = join(dir, 'pdv.config.ts');
  writeFileSync(cfg, `export default { environments: { staging: { baseUrl: 'http://127.0.0.1:1' } }, reportsDir: ${JSON.stringify(join(dir, 'reports'))} }`);
  // A port nothing listens on: a quick, real verdict (rollback, readiness refused).
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  target = `http://127.0.0.1:${(s.address() as { port: number }).port}`;
  await new Promise<void>((r) => s.close(() => r()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const verify = (out: string, env: NodeJS.ProcessEnv = {}) => runCli(['verify', '--config', cfg, '--base-url', target, '--out', out], { cwd: dir, env: { GITHUB_STEP_SUMMARY: '', ...env } });

describe('failsafe reports (real CLI)', () => {
  it('a second run into the same --out is refused (exit 3) and the first run is untouched', async () => {
    const out = join(dir, 'reused');
    const first = await verify(out);
    expect(first.code).toBe(1);
    const events = readFileSync(join(out, 'events.jsonl'), 'utf8');
    const again = await verify(out);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain(`--out: ${out} already holds a run (events.jsonl); choose a new folder`);
    expect(readFileSync(join(out, 'events.jsonl'), 'utf8')).toBe(events);
    // pdv report still gives the first run's verdict.
    const report = await runCli(['report', out], { cwd: dir });
    expect(report.code).toBe(1);
    expect(readVerdict(out).runId).toBe(JSON.parse(events.split('\n')[0]!).runId);
  });

  it('pdv merge --out onto one of its inputs is refused (exit 3), nothing appended', async () => {
    const a = join(dir, 'shard-a');
    expect((await verify(a)).code).toBe(1);
    const events = readFileSync(join(a, 'events.jsonl'), 'utf8');
    const merged = await runCli(['merge', a, '--out', a, '--config', cfg], { cwd: dir });
    expect(merged.code).toBe(3);
    expect(merged.stderr).toMatch(/--out: .* is one of the inputs; choose a new folder/);
    expect(readFileSync(join(a, 'events.jsonl'), 'utf8')).toBe(events);
  });

  it('verdict.json cannot be written: exit 2, and no report or step summary claims a verdict', async () => {
    const out = join(dir, 'blocked');
    mkdirSync(join(out, 'verdict.json', 'in-the-way'), { recursive: true });
    const step = join(dir, 'step-summary.md');
    writeFileSync(step, '');
    const result = await verify(out, { GITHUB_STEP_SUMMARY: step });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/failed to record its verdict/);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.stdout).not.toMatch(/ROLLBACK|STAND/);
    for (const f of [join(out, 'summary.md'), join(out, 'junit.xml'), join(out, 'index.html'), step]) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).toMatch(/failed to record its verdict/);
      expect(text, f).not.toMatch(/ROLLBACK|\bSTAND\b|\bstands\b/);
    }
  });

  it.each([
    ['a quarantine wider than one stage', `quarantine: [{ checkId: '*', owner: 'qa', expires: '2999-01-01' }]`, 'quarantine.0.checkId'],
    ['an override wider than one stage', `policy: { overrides: [{ match: '*.*', dryRun: true }] }`, 'policy.overrides.0.match'],
    ['a deadline longer than a timer can hold', `deadline: '30d'`, 'deadline'],
  ])('%s is a config error: exit 3, nothing written', async (_name, extra, field) => {
    const c = join(dir, `bad-${field}.config.ts`);
    writeFileSync(c, `export default { environments: { staging: { baseUrl: 'http://127.0.0.1:1' } }, ${extra} }`);
    const out = join(dir, `bad-${field}`);
    const result = await runCli(['verify', '--config', c, '--base-url', target, '--out', out], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${field}:`);
    expect(existsSync(out)).toBe(false);
  });

  it('soak start --interval 25d is a usage error naming the flag', async () => {
    const state = join(dir, 'soak-state');
    const result = await runCli(['soak', 'start', '--config', cfg, '--interval', '25d', '--state', state], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/--interval: "25d" is longer than Node timers can hold/);
    expect(existsSync(state)).toBe(false);
  });
});
