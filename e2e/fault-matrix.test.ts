import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type DemoHandle } from '../demo/launch.ts';
import { readVerdict, REPO, runCli } from './helpers/cli.ts';
import { DEMO_CREDENTIALS, DEMO_TARGET } from './helpers/stage-context.ts';

// Every harness fault injected into a run against a healthy deployment:
// pdv must never stand on lost evidence, never roll back on its own fault,
// and never fire the rollback action. The rollback action of every config
// here touches a marker file; it must never appear.

const CANARY = {
  DEMO_ADMIN_PASSWORD: `adm-matrix-${process.pid}-A`,
  DEMO_EDITOR_PASSWORD: `edt-matrix-${process.pid}-E`,
  DEMO_VIEWER_PASSWORD: `vwr-matrix-${process.pid}-V`,
};

let demo: DemoHandle;
let dir = '';
let marker = '';
let closedPort = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdv-matrix-'));
  marker = join(dir, 'ROLLBACK-FIRED');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closedPort = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  demo = await startDemo({ env: CANARY, readyTimeoutMs: 180_000 });
}, 200_000);
afterAll(async () => {
  await demo?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Variant {
  environment?: Record<string, unknown>;
  top?: Record<string, unknown>;
  smoke?: Record<string, unknown>;
}

let n = 0;
async function writeConfig(v: Variant): Promise<string> {
  const config = {
    project: 'fault-matrix',
    environments: {
      demo: {
        baseUrl: demo.baseUrl,
        apiUrl: demo.apiUrl ?? demo.baseUrl,
        credentials: DEMO_CREDENTIALS,
        ...DEMO_TARGET,
        allowedHosts: ['127.0.0.1'],
        rollback: { actions: [{ type: 'command', command: ['touch', marker], retries: 0 }], verify: { enabled: false } },
        ...v.environment,
      },
    },
    stageOrder: ['smoke'],
    stages: { smoke: { login: { enabled: true }, checks: [{ id: 'projects', path: '/api/projects', role: 'viewer' }], ...v.smoke } },
    reportsDir: join(dir, 'reports'),
    ...v.top,
  };
  const file = join(dir, `pdv-${++n}.config.ts`);
  await writeFile(file, `export default ${JSON.stringify(config, null, 2)};\n`);
  return file;
}

async function verify(v: Variant, env: Record<string, string | undefined> = CANARY, extra: string[] = []) {
  const file = await writeConfig(v);
  const out = join(dir, `out-${n}`);
  const r = await runCli(['verify', '--config', file, '--env', 'demo', '--out', out, ...extra], { env: { ...process.env, ...env } as NodeJS.ProcessEnv, timeoutMs: 240_000 });
  return { ...r, out };
}

describe('fault matrix: the harness fails, the deploy does not', () => {
  it('control: the same config against the healthy deployment stands', async () => {
    const r = await verify({});
    expect(r.code, r.stderr).toBe(0);
    expect(readVerdict(r.out).verdict).toBe('stand');
  }, 120_000);

  // Knowable before the run: exit 3, nothing sent, nothing written.
  it.each<[string, Variant, Record<string, string | undefined>, RegExp, string[]?]>([
    ['a role password unset', {}, { ...CANARY, DEMO_VIEWER_PASSWORD: '' }, /DEMO_VIEWER_PASSWORD is not set/],
    ['the flag mirror missing', { smoke: { testDir: join(REPO, 'tests/smoke'), flagsMirror: join(dir || tmpdir(), 'no-mirror.json') } }, CANARY, /flag mirror .* does not exist/],
    ['the spec folder missing', { smoke: { testDir: '/nonexistent/specs' } }, CANARY, /spec folder .* does not exist/],
    ['uat listed without specs', { top: { stageOrder: ['smoke', 'uat'] } }, CANARY, /uat stage runs your Playwright specs/],
    ['a quarantine that waives everything', { top: { quarantine: [{ checkId: '*', owner: 'x', expires: '2099-01-01' }] } }, CANARY, /quarantine/],
    ['an expected version nothing reads', {}, CANARY, /nothing reads the live version/, ['--expect-version', '1.4.0']],
    ['a deadline timers cannot hold', { top: { deadline: '30d' } }, CANARY, /deadline/],
    ['a check naming an unknown role', { smoke: { checks: [{ id: 'x', path: '/', role: 'superuser' }] } }, CANARY, /superuser/],
  ])('%s → exit 3, nothing written', async (_name, v, env, message, extra) => {
    const r = await verify(v, env, extra ?? []);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toMatch(message);
    expect(existsSync(r.out)).toBe(false);
    expect(existsSync(join(dir, 'reports')) ? readdirSync(join(dir, 'reports')).filter((f) => !f.startsWith('.')) : []).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  // Found during the run: errored → hold; the rollback never fires.
  it.each<[string, Variant, Record<string, string | undefined>]>([
    ['the browser cannot start', { smoke: { testDir: join(REPO, 'tests/smoke'), flagsMirror: join(REPO, 'demo/flags.production.json') } }, { ...CANARY, PDV_CHROMIUM: '/nonexistent/chromium' }],
    ['every check waived by a dry-run override', { top: { policy: { overrides: [{ match: 'smoke.*', dryRun: true }] } } }, CANARY],
  ])('%s → hold, no rollback', async (_name, v, env) => {
    const r = await verify(v, env);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const verdict = readVerdict(r.out);
    expect(verdict.verdict).toBe('hold');
    expect(verdict.checks.filter((c) => c.status === 'failed')).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  }, 180_000);

  it('a metrics source that cannot be read → hold, no rollback', async () => {
    const r = await verify({
      top: {
        stageOrder: ['smoke', 'metrics'],
        stages: {
          smoke: { login: { enabled: false } },
          metrics: { sources: { prom: { type: 'prometheus', url: `http://127.0.0.1:${closedPort}` } }, rules: [{ name: 'errors', query: 'sum(rate(http_errors_total[1m]))', failureCondition: 'value > 1' }] },
        },
      },
    });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(readVerdict(r.out).verdict).toBe('hold');
    expect(existsSync(marker)).toBe(false);
  }, 120_000);
});
