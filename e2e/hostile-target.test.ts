/* eslint-disable no-control-regex -- these tests look for control characters a target sent */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateVerdict } from '../src/reporters/schema.ts';
import { PDV_BIN, readVerdict, runCli, type CliResult } from './helpers/cli.ts';
import { leakNeedles, startHostileServer, startWellConfiguredSite, type HostileServer } from './helpers/hostile-server.ts';
import { base64Forms, findNeedles } from './helpers/scan-secrets.ts';

// Issue 23: the hostile-server matrix through the real CLI. Each mode has its
// expected verdict (exit code), a bound (the run is killed past it, and the
// test fails), and a leak scan: every case runs with the canary secrets
// configured (a bearer token and a basic-auth password), and after it every
// file of its folder (run folder, reports, step summary), stdout and stderr
// are searched for every form of each canary it was given.

const TOKEN = 'hT9-k2Qz<w&x>"y/Lp4Vb7Nc';
const PASSWORD = 'Cn4ry-pW9zQx7Lm3&Kd"v';
/** The canaries every case is given (a case may replace one, e.g. a token equal to an enum word). */
const CANARIES: Record<string, string> = { HOSTILE_TOKEN: TOKEN, HOSTILE_PASSWORD: PASSWORD };
let dir: string;
let hostile: HostileServer;
let away: HostileServer;
let awayTarget: HostileServer;
let n = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pdv-hostile-'));
  hostile = await startHostileServer();
  away = await startWellConfiguredSite();
  awayTarget = await startHostileServer({ awayUrl: away.url });
});
afterAll(async () => {
  await Promise.all([hostile.close(), away.close(), awayTarget.close()]);
  rmSync(dir, { recursive: true, force: true });
});

interface Case {
  env?: string;
  stages: string;
  stageOrder: string;
}

interface CaseFiles {
  root: string;
  cfg: string;
  marker: string;
  out: string;
  step: string;
}

/** Every form a canary could leak in: each echoed form, 8-character runs (cuts), base64 at any offset, hex, `\x` escapes. */
function canaryNeedles(secret: string): string[] {
  const hex = Buffer.from(secret).toString('hex');
  return [...new Set([...leakNeedles(secret), ...base64Forms(secret), hex, hex.replace(/../g, '\\x$&')])];
}

/** The runs of the current test: scanned after it (afterEach), whatever it asserted. */
const runs: Array<{ root: string; texts: Record<string, string>; canaries: string[] }> = [];

function scanAfter(c: CaseFiles, env: NodeJS.ProcessEnv, r: { stdout: string; stderr: string }): void {
  // Only the canaries this run was given (a replaced token is a test word, not a canary).
  const canaries = Object.entries(CANARIES).filter(([name, value]) => (env[name] ?? value) === value).map(([, value]) => value);
  runs.push({ root: c.root, texts: { stdout: r.stdout, stderr: r.stderr }, canaries });
}

afterEach(async () => {
  const done = runs.splice(0);
  for (const run of done) {
    expect(run.canaries.length, 'a canary was scanned for').toBeGreaterThan(0);
    expect(await findNeedles(run.root, run.canaries.flatMap(canaryNeedles), run.texts), run.root).toEqual([]);
  }
});

function config(c: Case): CaseFiles {
  const root = join(dir, `c${++n}`);
  mkdirSync(root);
  const marker = join(root, 'rolled-back.txt');
  const cfg = join(root, 'pdv.config.ts');
  writeFileSync(
    cfg,
    `export default {
  environments: { staging: { baseUrl: 'http://127.0.0.1:1', health: { path: '/health' }, ${c.env ?? ''}
    auth: { type: 'basic' },
    credentials: { viewer: { tokenEnv: 'HOSTILE_TOKEN' }, editor: { username: 'editor', passwordEnv: 'HOSTILE_PASSWORD' } },
    rollback: { actions: [{ type: 'command', command: ['touch', ${JSON.stringify(marker)}], retries: 0 }], verify: { enabled: false } } } },
  stageOrder: ${c.stageOrder},
  stages: ${c.stages},
  reportsDir: ${JSON.stringify(join(root, 'reports'))},
};`,
  );
  const step = join(root, 'step-summary.md');
  writeFileSync(step, '');
  return { root, cfg, marker, out: join(root, 'run'), step };
}

/** The real CLI with the canaries and a step summary in the case's folder; the run is leak-scanned after the test. */
async function cli(c: CaseFiles, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 90_000): Promise<CliResult> {
  const full = { ...CANARIES, GITHUB_STEP_SUMMARY: c.step, ...env };
  const r = await runCli(args, { cwd: dir, env: full, timeoutMs });
  scanAfter(c, full, r);
  return r;
}

const verify = (c: CaseFiles, base: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 90_000, out = c.out) =>
  cli(c, ['verify', '--config', c.cfg, '--base-url', base, '--out', out, '--deploy-id', `d-${++n}`], env, timeoutMs);

/** Nothing a target wrote can act on a terminal or a CI log. */
function expectInertLog(text: string): void {
  for (const line of text.split('\n')) {
    expect(line, line).not.toMatch(/^\s*::/);
    expect(line, line).not.toMatch(/^VERDICT: STAND/);
  }
  expect(text).not.toMatch(/[\u001b\u0007\r\u2028\u202e]/);
}

const echoSmoke = `{ smoke: { checks: [{ id: 'echo', path: '/echo', role: 'viewer', expect: { bodyContains: 'never-in-the-body' }, severity: 'critical' }] } }`;

describe('a hostile target through the real CLI', () => {
  it('inject: target text is data in the terminal, the CI log and the summary (rollback on its wrong version; exit 1)', async () => {
    const c = config({ env: `version: { path: '/version', field: 'version' },`, stageOrder: `['smoke']`, stages: `{ smoke: { checks: [{ id: 'inject', path: '/inject', expect: { json: { status: 'ok' } }, severity: 'minor' }] } }` });
    const step = c.step;
    const r = await cli(c, ['verify', '--config', c.cfg, '--base-url', hostile.url, '--out', c.out, '--expect-version', '2.0']);
    expect(r.code).toBe(1);
    expect(readVerdict(c.out).verdict).toBe('rollback');
    expectInertLog(r.stdout);
    expectInertLog(r.stderr);
    for (const f of [join(c.out, 'summary.md'), step]) {
      const md = readFileSync(f, 'utf8');
      // One verdict, the real one: the step summary is appended once, when the record is complete.
      expect(md.match(/^## pdv verdict.*$/gm)?.every((l) => l.startsWith('## pdv verdict: [ROLLBACK]'))).toBe(true);
      expect(md.match(/^## pdv verdict/gm)).toHaveLength(1);
      expect(md).not.toMatch(/[\u001b\u0007]|<script>|^\s*::/m);
    }
    expect(readFileSync(join(c.out, 'index.html'), 'utf8')).not.toContain('<script>alert(1)');
  });

  it('echo: a target that echoes the token in every encoding and across excerpt cuts leaks it nowhere (rollback; exit 1)', async () => {
    const c = config({ stageOrder: `['smoke']`, stages: echoSmoke });
    const r = await verify(c, hostile.url);
    expect(r.code).toBe(1);
    expect(existsSync(c.marker), r.stdout + r.stderr).toBe(true);
    expect(hostile.hits.get('/echo')).toBeGreaterThan(0);
    expect(await findNeedles(c.out, leakNeedles(TOKEN), { stdout: r.stdout, stderr: r.stderr })).toEqual([]);
  });

  it('echo (basic auth): a target that echoes the Basic credentials in every encoding leaks no form of the password (rollback; exit 1)', async () => {
    const c = config({ stageOrder: `['smoke']`, stages: echoSmoke.replace(`role: 'viewer'`, `role: 'editor'`) });
    const before = hostile.hits.get('/echo') ?? 0;
    const r = await verify(c, hostile.url);
    expect(r.code, r.stderr).toBe(1);
    expect(hostile.hits.get('/echo') ?? 0).toBeGreaterThan(before);
    // The afterEach scan looks for the password in every form, base64 inside `editor:<password>` at any offset too.
  });

  it.each(['stand', 'rollback', 'hold', 'warn', 'failed', 'passed', 'errored', 'skipped', 'flaky', 'critical', 'major', 'minor', 'missing'])(
    'a token equal to "%s" leaves verdict.json valid and correct, and the rollback runs (exit 1)',
    async (word) => {
      const c = config({ stageOrder: `['smoke']`, stages: echoSmoke });
      const r = await verify(c, hostile.url, { HOSTILE_TOKEN: word });
      expect(r.code, r.stderr).toBe(1);
      const v = readVerdict(c.out);
      expect(validateVerdict(v)).toEqual({ ok: true });
      expect(v.verdict).toBe('rollback');
      expect(v.checks.find((x) => x.id === 'smoke.echo')).toMatchObject({ status: 'failed', severity: 'critical' });
      expect(existsSync(c.marker), r.stdout + r.stderr).toBe(true);
    },
  );

  it('redirect-away: the security stage grades the redirect as the answer and never reaches the other host; nothing of it enters a report', async () => {
    const c = config({ env: `allowedHosts: ['127.0.0.1'],`, stageOrder: `['security']`, stages: `{ security: { headers: { minimumGrade: 'B' }, tls: { enabled: false }, exposed: { enabled: false }, cors: { enabled: false } } }` });
    const r = await verify(c, awayTarget.url);
    expect(away.hits.size).toBe(0);
    expect(r.code).toBe(1);
    const files = readdirSync(c.out, { recursive: true }).map(String).filter((f) => existsSync(join(c.out, f)) && !f.endsWith('/'));
    for (const f of files) {
      try {
        expect(readFileSync(join(c.out, f), 'utf8'), f).not.toContain('BORROWED-CONTENT-MARKER');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
      }
    }
  });

  it('trickle: a probe exchange has a total deadline beside its idle one; the security stage ends long before its 60 s timeout', async () => {
    const c = config({ stageOrder: `['security']`, stages: `{ security: { requestTimeout: '3s', headers: { path: '/trickle' }, tls: { enabled: false }, exposed: { enabled: false }, cors: { enabled: false } } }` });
    const r = await verify(c, hostile.url, {}, 45_000);
    expect(r.code, 'killed at the bound').not.toBeNull();
    expect(readFileSync(join(c.out, 'verdict.json'), 'utf8')).toMatch(/no complete answer within 3000 ms/);
  });

  it.each([
    ['meta-bomb', `{ security: { headers: { path: '/meta-bomb' }, tls: { enabled: false }, exposed: { enabled: false }, cors: { enabled: false } } }`],
    ['href-spaces', `{ security: { headers: { enabled: false }, tls: { enabled: false }, exposed: { enabled: false }, cors: { enabled: false }, openRedirect: { path: '/href-spaces', param: 'next' } } }`],
  ])('%s: the page is read in linear time (the run ends within its bound; no rollback from the parser)', async (_mode, stages) => {
    const c = config({ stageOrder: `['security']`, stages });
    const r = await verify(c, hostile.url, {}, 60_000);
    expect(r.code).not.toBeNull();
    expect(validateVerdict(readVerdict(c.out))).toEqual({ ok: true });
  });
});

describe('harness faults are not target faults', () => {
  const smokeOnly = { stageOrder: `['smoke']`, stages: `{ smoke: {} }` };

  it.each([
    ['an unresolvable host', 'http://pdv-hostile-target.invalid', /does not resolve/],
    ['port 0', 'http://127.0.0.1:0', /must not use port 0/],
  ])('%s is exit 3 at plan time, nothing written', async (_name, base, message) => {
    const c = config(smokeOnly);
    const r = await verify(c, base);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(message);
    expect(existsSync(c.out)).toBe(false);
  });

  it('a refused --base-url never echoes its password', async () => {
    const c = config(smokeOnly);
    const r = await verify(c, 'ftp://deploy:Hunter2-SECRET@127.0.0.1/');
    expect(r.code).toBe(3);
    expect(r.stderr + r.stdout).not.toContain('Hunter2-SECRET');
  });

  it('an --out that cannot be created is exit 3 before any request', async () => {
    const c = config(smokeOnly);
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const before = hostile.hits.get('/health') ?? 0;
    const r = await verify(c, hostile.url, {}, 90_000, join(blocker, 'run'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--out: .*cannot create or write the run folder/);
    expect(hostile.hits.get('/health') ?? 0).toBe(before);
  });

  it('a secret shorter than 4 characters is refused at plan time, naming it', async () => {
    const c = config(smokeOnly);
    const r = await verify(c, hostile.url, { HOSTILE_TOKEN: 'ab' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/HOSTILE_TOKEN: is 2 characters long/);
    expect(existsSync(c.out)).toBe(false);
  });
});

/** Run the CLI with its stdout closed at once, as `pdv verify | head -0` does (leak-scanned after the test: stderr and files). */
async function runWithClosedStdout(c: CaseFiles, args: string[]): Promise<CliResult> {
  const env = { ...process.env, NO_COLOR: '1', ...CANARIES, GITHUB_STEP_SUMMARY: c.step };
  const r = await new Promise<CliResult>((resolve, reject) => {
    const child = spawn(process.execPath, [PDV_BIN, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: '', stderr });
    });
  });
  scanAfter(c, env, r);
  return r;
}

describe('exits agree with the files', () => {
  it('a closed stdout (EPIPE) never stops the run: verdict.json, the rollback and the exit code are the verdict\'s', async () => {
    const c = config({ stageOrder: `['smoke']`, stages: `{ smoke: { checks: [{ id: 'missing', path: '/no-such', severity: 'critical' }] } }` });
    const r = await runWithClosedStdout(c, ['verify', '--config', c.cfg, '--base-url', hostile.url, '--out', c.out, '--deploy-id', 'd-epipe']);
    expect(r.code, r.stderr).toBe(1);
    expect(readVerdict(c.out).verdict).toBe('rollback');
    expect(existsSync(c.marker), r.stdout + r.stderr).toBe(true);
  });

  it('SIGTERM is named SIGTERM in the report', async () => {
    const c = config({ stageOrder: `['smoke']`, stages: `{ smoke: { checks: [{ id: 'trickle', path: '/trickle', timeout: '60s', severity: 'critical' }] } }` });
    const env = { ...process.env, ...CANARIES, GITHUB_STEP_SUMMARY: c.step };
    const child = spawn(process.execPath, [PDV_BIN, 'verify', '--config', c.cfg, '--base-url', hostile.url, '--out', c.out], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('▶ smoke') && child.signalCode === null && !sent) sent = child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    scanAfter(c, env, { stdout, stderr });
    expect(code).toBe(2);
    const text = readFileSync(join(c.out, 'verdict.json'), 'utf8');
    expect(text).toContain('interrupted (SIGTERM)');
    expect(text).not.toContain('SIGINT');
  });

  it('two runs given one --out at once: exactly one claims it', async () => {
    const c = config({ stageOrder: `['smoke']`, stages: `{ smoke: {} }` });
    const [a, b] = await Promise.all([verify(c, hostile.url), verify(c, hostile.url)]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 3]);
    expect(a.stderr + b.stderr).toMatch(/already holds a run/);
    expect(validateVerdict(readVerdict(c.out))).toEqual({ ok: true });
  });

  it('the stage line says "passed with N warnings" when only warn-level checks failed, above a STAND', async () => {
    const c = config({ stageOrder: `['smoke']`, stages: `{ smoke: { checks: [{ id: 'minor-miss', path: '/no-such', severity: 'minor' }] } }` });
    const r = await verify(c, hostile.url);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/■ smoke: passed with 1 warning in/);
    expect(r.stdout).not.toMatch(/■ smoke: failed/);
  });
});
