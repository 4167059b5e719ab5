import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVerdict, runCli, runDirFrom } from './helpers/cli.ts';

// Adding a seventh stage touches its own folder and one line (docs/architecture.md):
// here the stage is a plugin from a fixture folder, named in the config's
// `plugins`, run through the real `pdv verify` without any edit to pdv.

const FIXTURE = join(import.meta.dirname, 'fixtures/plugin-stage/pdv.config.ts');
let server: Server;
let base: string;
let canaryStatus = 200;
const out = mkdtempSync(join(tmpdir(), 'pdv-plugin-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    res.statusCode = req.url === '/canary' ? canaryStatus : 200;
    res.setHeader('content-type', 'text/plain');
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(out, { recursive: true, force: true });
});

const verify = (dir: string) => runCli(['verify', '--config', FIXTURE, '--base-url', base, '--out', join(out, dir)]);

describe('a plugin stage through pdv verify', () => {
  it('is planned, run, judged and reported like a built-in stage', async () => {
    canaryStatus = 200;
    const r = await verify('healthy');
    expect(r.code, r.stderr).toBe(0);
    const v = readVerdict(runDirFrom(r));
    expect(v.verdict).toBe('stand');
    expect(v.stages.map((s) => s.name)).toEqual(['smoke', 'canary']);
    expect(v.checks.find((c) => c.id === 'canary.status')).toMatchObject({ status: 'passed', stage: 'canary' });
    // Its report section comes from the stage's own definition.
    expect(readFileSync(join(runDirFrom(r), 'index.html'), 'utf8')).toContain('<p class="canary">status 200</p>');
  });

  it('is listed by pdv stages beside the built-ins, in the default plan because its config sets it up', async () => {
    const r = await runCli(['stages', '--config', FIXTURE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ name: string; planned: boolean; plugin: boolean }>;
    expect(rows.find((x) => x.name === 'canary')).toMatchObject({ planned: true, plugin: true });
    expect(rows.find((x) => x.name === 'uat')).toMatchObject({ planned: false, plugin: false });
  });

  it('its failed critical check rolls the deploy back', async () => {
    canaryStatus = 500;
    const r = await verify('broken');
    const v = readVerdict(runDirFrom(r));
    expect(v.verdict).toBe('rollback');
    expect(v.reasons.map((x) => x.checkId)).toContain('canary.status');
    expect(r.code).toBe(1);
  });

  it('its section is validated by its own schema: a bad value is exit 3 naming the field, nothing written', async () => {
    const dir = mkdtempSync(join(out, 'bad-'));
    const config = join(dir, 'pdv.config.ts');
    writeFileSync(config, `export default { plugins: [${JSON.stringify(join(import.meta.dirname, 'fixtures/plugin-stage/canary.ts'))}], environments: { staging: { baseUrl: '${base}' } }, stages: { canary: { path: 'no-slash' } } };\n`);
    const r = await runCli(['verify', '--config', config, '--out', join(dir, 'run')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/stages\.canary\.path/);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('a plugin that is not a stage is refused before anything runs', async () => {
    const dir = mkdtempSync(join(out, 'notstage-'));
    writeFileSync(join(dir, 'not-a-stage.ts'), 'export default { name: "x" };\n');
    const config = join(dir, 'pdv.config.ts');
    writeFileSync(config, `export default { plugins: ['./not-a-stage.ts'], environments: { staging: { baseUrl: '${base}' } } };\n`);
    const r = await runCli(['verify', '--config', config, '--out', join(dir, 'run')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/plugins\.0/);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });
});
