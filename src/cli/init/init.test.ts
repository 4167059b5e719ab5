import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { loadConfig } from '../../config/load.ts';
import { loadScenarioFile } from '../../load/scenario-file.ts';
import { PROBE_BUDGET, probeTarget, type ProbeFindings } from './probe.ts';
import { runInit } from './run.ts';
import { initFiles, PLACEHOLDER_URL } from './templates.ts';

// What `pdv init` writes must pass pdv's own validation, and its probe stays
// GET-only, on the one host, within its request budget and time.

const scratch = mkdtempSync(join(tmpdir(), 'pdv-init-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const PUBLIC_ENTRY = pathToFileURL(join(import.meta.dirname, '..', '..', 'config', 'index.ts')).href;

/** Write the scaffold into a folder, with `from 'pdv'` pointing at this checkout's public entry. */
function scaffold(name: string, findings?: ProbeFindings, baseUrl?: string): string {
  const dir = join(scratch, name);
  for (const f of initFiles({ project: 'acme', environment: 'staging', dir: 'pdv', ...(baseUrl ? { baseUrl } : {}) }, findings)) {
    mkdirSync(join(dir, f.path, '..'), { recursive: true });
    writeFileSync(join(dir, f.path), f.content.replace("from 'pdv'", `from '${PUBLIC_ENTRY}'`));
  }
  return dir;
}

const found: ProbeFindings = {
  baseUrl: 'https://shop.example.test',
  root: { status: 200 },
  health: { path: '/healthz', status: 200, json: { status: 'ok' } },
  version: { path: '/api/version', field: 'version', value: '1.2.3' },
  https: true,
  hsts: true,
  grade: 'B+',
  requests: 5,
};

describe('pdv init templates', () => {
  it.each([
    ['with probe findings', found, undefined],
    ['with a URL, nothing found', undefined, 'http://10.0.0.7:8080'],
    ['with no URL at all', undefined, undefined],
  ])('the config %s passes pdv config validation', async (name, findings, baseUrl) => {
    const dir = scaffold(name.replace(/\W+/g, '-'), findings, baseUrl);
    const config = await loadConfig({ config: join(dir, 'pdv.config.ts') }, {});
    expect(config.environmentName).toBe('staging');
    expect(config.environment.baseUrl).toBe(findings?.baseUrl ?? baseUrl ?? PLACEHOLDER_URL);
    expect(config.stages.smoke.testDir).toBe('pdv/smoke');
    if (findings) {
      expect(config.environment.health.path).toBe('/healthz');
      expect(config.environment.version?.path).toBe('/api/version');
      expect(config.stages.security.headers.minimumGrade).toBe('B+');
    }
  });

  it('the load scenario skeleton passes scenario validation', async () => {
    const dir = scaffold('scenario');
    const loaded = await loadScenarioFile('pdv/load/baseline.ts', dir);
    expect(loaded.scenario.name).toBe('baseline');
    expect(loaded.thresholds.length).toBeGreaterThan(0);
  });
});

describe('pdv init --base-url probe', () => {
  const seen: Array<{ method: string; url: string; host: string }> = [];
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));
  type Answer = { status: number; body?: string; headers?: Record<string, string> } | undefined;
  const listen = (handler: (req: IncomingMessage) => Answer): Promise<string> =>
    new Promise((resolve) => {
      const server = createServer((req, res) => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '' });
        const answer = handler(req);
        if (!answer) return; // never answers
        res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
      });
      servers.push(server);
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    });

  it('finds health and version, sends only GETs to that host, within its budget', async () => {
    seen.length = 0;
    const url = await listen((req): Answer => {
      if (req.url === '/health') return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"UP","db":"ok"}' };
      if (req.url === '/api/version') return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"release":"r-42"}' };
      if (req.url === '/') return { status: 200, headers: { 'content-type': 'text/html', 'strict-transport-security': 'max-age=63072000' }, body: '<h1>x</h1>' };
      return { status: 404 };
    });
    const f = await probeTarget(url);
    expect(f.health).toEqual({ path: '/health', status: 200, json: { status: 'UP' } });
    expect(f.version).toEqual({ path: '/api/version', field: 'release', value: 'r-42' });
    expect(f.https).toBe(false);
    expect(f.grade).toMatch(/^[A-F][+-]?$/);
    expect(seen.length).toBeLessThanOrEqual(PROBE_BUDGET);
    expect(new Set(seen.map((s) => s.method))).toEqual(new Set(['GET']));
    expect(new Set(seen.map((s) => s.host))).toEqual(new Set([new URL(url).host]));
  });

  it('gives up at once when / does not answer in time', async () => {
    seen.length = 0;
    const url = await listen(() => undefined);
    const t0 = Date.now();
    const f = await probeTarget(url, { timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(f.root.error).toBeTruthy();
    expect(f.health).toBeUndefined();
    expect(seen.length).toBe(1);
  });
});

describe('pdv init refuses bad input before writing anything', () => {
  const io = { info: () => undefined, out: () => undefined, error: () => undefined, json: false, setExitCode: () => undefined };
  it.each([
    [{ baseUrl: 'ftp://files.example' }, '--base-url'],
    [{ baseUrl: 'https://user:secret@shop.example' }, '--base-url'],
    [{ env: 'Prod!' }, '--env'],
    [{ dir: '../outside' }, '--dir'],
  ])('%j → a usage error naming %s', async (bad, where) => {
    const cwd = mkdtempSync(join(scratch, 'bad-'));
    const err = await runInit(io, { cwd, yes: true, probe: false, ...bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(where);
    expect((err as Error).message).not.toContain('secret');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('an existing file stops init with --force named, and nothing else is written', async () => {
    const cwd = mkdtempSync(join(scratch, 'exists-'));
    writeFileSync(join(cwd, 'pdv.config.ts'), 'export default {};\n');
    const err = await runInit(io, { cwd, yes: true, probe: false }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/pdv\.config\.ts already exists; pass --force/);
    expect(readdirSync(cwd)).toEqual(['pdv.config.ts']);
    await runInit(io, { cwd, yes: true, probe: false, force: true });
    expect(existsSync(join(cwd, 'pdv', 'smoke', 'home.spec.ts'))).toBe(true);
  });
});

describe('pdv init asks when it runs on a terminal without --yes', () => {
  const io = { info: () => undefined, out: () => undefined, error: () => undefined, json: false, setExitCode: () => undefined };
  /** The answers typed, one per line, and what was asked. */
  function terminal(lines: string[]) {
    const input = new PassThrough();
    const output = new PassThrough();
    let asked = '';
    output.on('data', (d: Buffer) => (asked += d.toString()));
    input.end(lines.map((l) => `${l}\n`).join(''));
    return { prompt: { input, output }, asked: () => asked };
  }

  it('takes the URL, environment and folder typed; an empty answer keeps the default shown', async () => {
    const cwd = mkdtempSync(join(scratch, 'ask-'));
    const t = terminal(['https://shop.example', 'prod', '']);
    await runInit(io, { cwd, probe: false, prompt: t.prompt });
    expect(t.asked()).toMatch(/URL of the environment to verify: .*environment name \(staging\): .*folder for specs and scenarios \(pdv\): /s);
    const config = readFileSync(join(cwd, 'pdv.config.ts'), 'utf8');
    expect(config).toContain("baseUrl: 'https://shop.example'");
    expect(config).toMatch(/\bprod: \{/);
    expect(existsSync(join(cwd, 'pdv', 'smoke', 'home.spec.ts'))).toBe(true);
  });

  it('a flag is the default of its question; a bad answer is refused like the flag, nothing written', async () => {
    const cwd = mkdtempSync(join(scratch, 'ask-bad-'));
    const t = terminal(['ftp://files.example', '', '']);
    const err = await runInit(io, { cwd, probe: false, env: 'qa', prompt: t.prompt }).catch((e: unknown) => e);
    expect(t.asked()).toContain('environment name (qa): ');
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain('--base-url');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--yes asks nothing', async () => {
    const cwd = mkdtempSync(join(scratch, 'ask-yes-'));
    const t = terminal(['https://never.example']);
    await runInit(io, { cwd, probe: false, yes: true, prompt: t.prompt });
    expect(t.asked()).toBe('');
    expect(readFileSync(join(cwd, 'pdv.config.ts'), 'utf8')).not.toContain('never.example');
  });
});
