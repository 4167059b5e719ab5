import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerdictReport } from '../src/core/types.ts';
import { REPO } from './helpers/cli.ts';

// pdv as another repo uses it: `npm pack` this checkout (its `prepare` builds
// dist/ from the current sources), install the tarball into a fresh folder
// outside the repo (registry packages from npm's cache), `pdv init` against a
// loopback app, then `pdv verify` against it healthy and broken — and the
// scaffolded TypeScript type-checks against the package's declarations.

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// The machine's npm and npx, as another repo has them. `npm test` and `npx` put this
// repo's node_modules/.bin first on PATH, where a devDependency's own npm may sit
// (Node-RED brings npm 10): that is not the npm a user installs pdv with.
const PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => !/[\\/]node_modules[\\/]\.bin[\\/]?$/.test(dir))
  .join(delimiter);

function sh(cmd: string, args: string[], cwd: string, timeoutMs = 240_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, PATH, NO_COLOR: '1', npm_config_update_notifier: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A tiny app: healthy, or with its health endpoint answering 500. */
function app(broken: boolean): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET') return void res.writeHead(405).end();
    if (req.url === '/healthz') return void res.writeHead(broken ? 500 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: broken ? 'down' : 'ok' }));
    if (req.url === '/version') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ version: '2.4.1' }));
    if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' }).end('<!doctype html><title>acme</title><h1>Acme</h1>');
    res.writeHead(404).end('not found');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

const verdictOf = (dir: string): VerdictReport => {
  const runs = join(dir, 'reports');
  const latest = readdirSync(runs).filter((d) => d !== 'latest').map((d) => join(runs, d)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]!;
  return JSON.parse(readFileSync(join(latest, 'verdict.json'), 'utf8')) as VerdictReport;
};

describe('pdv installed from its tarball into another repo', () => {
  const work = mkdtempSync(join(tmpdir(), 'pdv-install-'));
  const user = join(work, 'acme-web');
  let healthy: { url: string; server: Server };
  let broken: { url: string; server: Server };
  let tarball = '';

  beforeAll(async () => {
    [healthy, broken] = await Promise.all([app(false), app(true)]);
    const packed = await sh('npm', ['pack', '--pack-destination', work, '--json'], REPO);
    expect(packed.code, packed.stderr).toBe(0);
    tarball = join(work, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
    await sh('mkdir', ['-p', user], work);
    writeFileSync(join(user, 'package.json'), JSON.stringify({ name: 'acme-web', private: true, version: '1.0.0' }, null, 2));
    const installed = await sh('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], user);
    expect(installed.code, installed.stderr).toBe(0);
  }, 400_000);

  afterAll(async () => {
    await Promise.all([healthy, broken].map((a) => new Promise((r) => a?.server.close(r))));
    rmSync(work, { recursive: true, force: true });
  });

  it("packs and installs with the machine's npm, not one a devDependency put in this repo's node_modules/.bin", async () => {
    const which = await sh('sh', ['-c', 'command -v npm; command -v npx'], user);
    expect(which.code).toBe(0);
    for (const bin of which.stdout.trim().split('\n')) expect(bin.startsWith(join(REPO, 'node_modules'))).toBe(false);
  });

  it('ships the compiled code, the security definitions and no demo', () => {
    const pkg = join(user, 'node_modules', 'pdv');
    expect(existsSync(join(pkg, 'dist', 'src', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'src', 'config', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'security', 'headers.json'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    expect(existsSync(join(pkg, 'demo'))).toBe(false);
    expect(existsSync(join(pkg, 'dist', 'demo'))).toBe(false);
    expect(existsSync(join(user, 'node_modules', 'fastify'))).toBe(false);
    expect(statSync(tarball).size).toBeLessThan(1_000_000);
  });

  it('init probes the app and scaffolds; a second init refuses without --force', async () => {
    const init = await sh('npx', ['pdv', 'init', '--base-url', healthy.url, '--yes'], user);
    expect(init.code, init.stderr).toBe(0);
    for (const f of ['pdv.config.ts', 'pdv/smoke/home.spec.ts', 'pdv/load/baseline.ts', '.github/workflows/pdv-verify.yml']) expect(existsSync(join(user, f)), f).toBe(true);
    const config = readFileSync(join(user, 'pdv.config.ts'), 'utf8');
    expect(config).toContain(`baseUrl: '${healthy.url}'`);
    expect(config).toContain("health: { path: '/healthz', on: 'web', ready: { status: 200, json: { status: 'ok' } } }");
    expect(config).toContain("version: { path: '/version', on: 'web', field: 'version' }");
    expect(readFileSync(join(user, '.gitignore'), 'utf8')).toContain('reports/');

    const again = await sh('npx', ['pdv', 'init', '--yes'], user);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('pass --force');
    expect(readFileSync(join(user, 'pdv.config.ts'), 'utf8')).toBe(config);
  });

  it('verify: the healthy app stands, its Playwright smoke spec included', async () => {
    const run = await sh('npx', ['pdv', 'verify', '--expect-version', '2.4.1'], user);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const v = verdictOf(user);
    expect(v.verdict).toBe('stand');
    expect(v.checks.find((c) => c.id === 'smoke.home-page-renders')?.status).toBe('passed');
    expect(v.checks.find((c) => c.id === 'smoke.version')?.status).toBe('passed');
  });

  it('verify: health answering 500 is a rollback, naming the readiness check', async () => {
    const run = await sh('npx', ['pdv', 'verify', '--base-url', broken.url], user);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const v = verdictOf(user);
    expect(v.verdict).toBe('rollback');
    expect(v.reasons[0]?.checkId).toBe('smoke.readiness');
  });

  it('pdv run load: the scaffolded scenario on two engine threads (compiled workers)', async () => {
    // The skeleton, shortened; `workers: 2` makes the engine start its worker threads from dist/.
    const scenario = readFileSync(join(user, 'pdv', 'load', 'baseline.ts'), 'utf8').replace("duration: '10s'", "duration: '2s'");
    writeFileSync(join(user, 'pdv', 'load', 'short.ts'), scenario);
    const config = readFileSync(join(user, 'pdv.config.ts'), 'utf8').replace("// load: { scenario: 'pdv/load/baseline.ts' },", "load: { scenario: 'pdv/load/short.ts', workers: 2 },");
    writeFileSync(join(user, 'pdv.load.config.ts'), config);
    const run = await sh('npx', ['pdv', 'run', 'load', '--config', 'pdv.load.config.ts'], user);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const v = verdictOf(user);
    expect(v.partial).toBe(true);
    expect(v.checks.filter((c) => c.stage === 'load').length).toBeGreaterThan(0);
    // Every threshold held (a first run has no baseline to compare with: that check is skipped).
    expect(v.checks.filter((c) => c.stage === 'load' && c.status !== 'passed' && c.status !== 'skipped').map((c) => `${c.id}: ${c.status} ${c.message ?? ''}`)).toEqual([]);
    expect(v.checks.some((c) => c.stage === 'load' && c.status === 'passed')).toBe(true);
    rmSync(join(user, 'pdv', 'load', 'short.ts'));
  });

  it('the scaffolded config, spec and scenario type-check against the package', async () => {
    writeFileSync(
      join(user, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2023', lib: ['es2023', 'esnext.disposable', 'dom'], strict: true, noEmit: true, skipLibCheck: true, typeRoots: [join(REPO, 'node_modules', '@types')], types: ['node'] },
        include: ['pdv.config.ts', 'pdv/**/*.ts'],
      }),
    );
    const tsc = await sh(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], user);
    expect(tsc.code, tsc.stdout).toBe(0);
    writeFileSync(join(user, 'pdv', 'wrong.ts'), "import { defineConfig } from 'pdv';\nexport default defineConfig({ environments: { staging: { baseUrl: 3 } } });\n");
    const wrong = await sh(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], user);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toContain('wrong.ts');
    rmSync(join(user, 'pdv', 'wrong.ts'));
  });

  it('pdv demo says where the demo lives (exit 3)', async () => {
    const demo = await sh('npx', ['pdv', 'demo'], user);
    expect(demo.code).toBe(3);
    expect(demo.stderr).toContain('checkout of the pdv repository');
  });
});
