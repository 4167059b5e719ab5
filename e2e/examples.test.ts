import { mkdtempSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerdictReport } from '../src/core/types.ts';
import { readVerdict, runCli } from './helpers/cli.ts';
import { edit, nginxDocroot, nginxSiteConf, startVerdaccio, verdaccioConfig, type TestVerdaccio } from './helpers/examples.ts';
import { skipWithoutNginx, startNginx, type TestNginx } from './helpers/nginx.ts';
import { findSecrets } from './helpers/scan-secrets.ts';

// Proof on real applications nobody on this project wrote: the configs in
// examples/ against Debian's nginx serving a static site and Verdaccio 5 (an
// npm registry with a token login and two roles), each healthy and broken the
// way a bad deploy breaks it. The real CLI, its exit code and verdict.json.

const outDirs: string[] = [];
afterAll(async () => {
  await Promise.all(outDirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface Run {
  code: number | null;
  verdict: VerdictReport;
  out: string;
  output: string;
}

async function verify(config: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const out = mkdtempSync(join(tmpdir(), 'pdv-example-run-'));
  outDirs.push(out);
  const r = await runCli(['verify', '--config', config, '--out', out, ...args], { env, timeoutMs: 90_000 });
  const output = `${r.stdout}\n${r.stderr}`;
  try {
    return { code: r.code, verdict: readVerdict(out), out, output };
  } catch (err) {
    throw new Error(`no verdict.json (exit ${r.code}): ${output}`, { cause: err });
  }
}

/** What a test asserts of a run: exit code, verdict and its first reason. */
function summary(r: Run): { code: number | null; verdict: string; top: string | undefined } {
  return { code: r.code, verdict: r.verdict.verdict, top: r.verdict.reasons[0]?.checkId };
}

const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/;

/** Neither a canary password nor any bearer token the target issued is in any file of the run folder. */
async function expectNoSecrets(dir: string, secrets: string[]): Promise<void> {
  const { hits, filesScanned } = await findSecrets(dir, secrets);
  expect(filesScanned).toBeGreaterThan(3);
  expect(hits).toEqual([]);
  const tokens: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (JWT.test(await readFile(p, 'latin1'))) tokens.push(p);
    }
  };
  await walk(dir);
  expect(tokens).toEqual([]);
}

describe.skipIf(skipWithoutNginx())('example: a static site on nginx', () => {
  const CONFIG = 'examples/nginx-static/pdv.config.ts';
  const conf = nginxSiteConf();
  const variants = {
    healthy: conf,
    // The health location answers 500.
    'health-500': edit(conf, `return 200 '{"status":"ok"}\\n';`, `return 500 '{"status":"error"}\\n';`),
    // A new config lost the dotfile rule: the checkout's .git folder is served.
    'git-exposed': edit(conf, /# The docroot is a git checkout[^\n]*\nlocation ~ [^{]+\{\s*deny all;\s*\}\n/, ''),
    // nginx's add_header trap: one add_header in `location /` drops every server-level header there.
    'headers-dropped': edit(conf, 'location / {\n', 'location / {\n  add_header Cache-Control "no-cache";\n'),
  };
  const servers: Partial<Record<keyof typeof variants, TestNginx>> = {};
  let docroot: ReturnType<typeof nginxDocroot>;

  beforeAll(async () => {
    docroot = nginxDocroot();
    await Promise.all(
      (Object.keys(variants) as Array<keyof typeof variants>).map(async (name) => {
        servers[name] = await startNginx({ root: docroot.root, server: variants[name] });
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s?.stop()));
    await docroot?.remove();
  });

  const urlOf = (name: keyof typeof variants): string => {
    const s = servers[name];
    if (!s) throw new Error(`nginx ${name} did not start`);
    return s.url;
  };

  it('healthy → stand (exit 0), every smoke check and exposed-file probe passed', async () => {
    const r = await verify(CONFIG, ['--base-url', urlOf('healthy'), '--expect-version', '1.4.2']);
    expect(summary(r), r.output).toEqual({ code: 0, verdict: 'stand', top: undefined });
    const byId = new Map(r.verdict.checks.map((c) => [c.id, c]));
    for (const id of ['smoke.readiness', 'smoke.version', 'smoke.home-page', 'smoke.stylesheet', 'smoke.unknown-page-404', 'security.headers.base.grade', 'security.exposed.base.git-config', 'security.exposed.base.env']) {
      expect([id, byId.get(id)?.status]).toEqual([id, 'passed']);
    }
    expect(r.verdict.target.observedVersion).toBe('1.4.2');
  });

  it.each([
    ['health-500', 'smoke.readiness'],
    ['git-exposed', 'security.exposed.base.git-config'],
    ['headers-dropped', 'smoke.home-page'],
  ] as const)('%s → rollback (exit 1) naming %s', async (name, top) => {
    const r = await verify(CONFIG, ['--base-url', urlOf(name), '--expect-version', '1.4.2']);
    expect(summary(r), r.output).toEqual({ code: 1, verdict: 'rollback', top });
  });

  it('an old build (version.json 1.4.2, 1.5.0 expected) → rollback naming smoke.version', async () => {
    const r = await verify(CONFIG, ['--base-url', urlOf('healthy'), '--expect-version', '1.5.0']);
    expect(summary(r), r.output).toEqual({ code: 1, verdict: 'rollback', top: 'smoke.version' });
    expect(r.verdict.reasons[0]?.message).toContain('1.4.2');
  });

  it('the dropped headers also cost the headers grade (security run alone)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pdv-example-run-'));
    outDirs.push(out);
    const r = await runCli(['run', 'security', '--config', CONFIG, '--base-url', urlOf('headers-dropped'), '--out', out], { timeoutMs: 90_000 });
    const v = readVerdict(out);
    expect([r.code, v.verdict, v.partial], r.stdout + r.stderr).toEqual([1, 'rollback', true]);
    expect(v.checks.find((c) => c.id === 'security.headers.base.grade')?.status).toBe('failed');
    expect(v.checks.find((c) => c.id === 'security.headers.base.x-frame-options')?.status).toBe('failed');
  });
});

describe.skipIf(skipWithoutNginx())('example: Verdaccio, an npm registry with two roles', () => {
  const CONFIG = 'examples/verdaccio/pdv.config.ts';
  const PASSWORDS = { alice: `alice-canary-${process.pid}-Zq7`, bob: `bob-canary-${process.pid}-Wm4` };
  const ENV = { VERDACCIO_ALICE_PASSWORD: PASSWORDS.alice, VERDACCIO_BOB_PASSWORD: PASSWORDS.bob };
  const yaml = verdaccioConfig();
  const registries = {
    healthy: yaml,
    // The reader can publish: the team scope's publish rule became $authenticated.
    'reader-publishes': edit(yaml, /('@team\/\*':\n\s+access: \$authenticated\n\s+)publish: alice/, '$1publish: $authenticated'),
    // Anonymous users read the private scope: its access rule became $all.
    'private-public': edit(yaml, /('@team\/\*':\n\s+)access: \$authenticated/, '$1access: $all'),
    // The healthy registry again, for the run with a wrong password: Verdaccio 5 allows
    // one client 5 web logins a minute, and the healthy run used 4 of them.
    'wrong-password': yaml,
  };
  const apps: Partial<Record<keyof typeof registries, TestVerdaccio>> = {};
  const proxies: Record<string, TestNginx> = {};
  let emptyRoot: ReturnType<typeof nginxDocroot>;

  beforeAll(async () => {
    await Promise.all(
      (Object.keys(registries) as Array<keyof typeof registries>).map(async (name) => {
        apps[name] = await startVerdaccio({ configYaml: registries[name], users: PASSWORDS });
      }),
    );
    const upstream = apps.healthy?.url;
    if (!upstream) throw new Error('verdaccio did not start');
    // The registry behind its reverse proxy, which answers 500 on the health path.
    emptyRoot = nginxDocroot();
    proxies['health-500'] = await startNginx({
      root: emptyRoot.root,
      server: `location = /-/ping { default_type application/json; return 500 '{"error":"internal server error"}'; }\nlocation / { proxy_pass ${upstream}; }`,
    });
  }, 90_000);
  afterAll(async () => {
    await Promise.all([...Object.values(apps).map((a) => a?.stop()), ...Object.values(proxies).map((p) => p.stop())]);
    await emptyRoot?.remove();
  });

  const urlOf = (name: keyof typeof registries): string => {
    const a = apps[name];
    if (!a) throw new Error(`verdaccio ${name} did not start`);
    return a.url;
  };

  it('healthy → stand (exit 0): both roles signed in, the access table holds, nothing secret written', async () => {
    const r = await verify(CONFIG, ['--base-url', urlOf('healthy')], ENV);
    expect(summary(r), r.output).toEqual({ code: 0, verdict: 'stand', top: undefined });
    const byId = new Map(r.verdict.checks.map((c) => [c.id, c]));
    for (const id of [
      'smoke.readiness',
      'smoke.login.alice',
      'smoke.login.bob',
      'smoke.whoami',
      'smoke.private-package',
      'security.access.anonymous-reads-private',
      'security.access.reader-reads-private',
      'security.access.reader-publishes-private',
      'security.exposed.base.git-config',
    ]) {
      expect([id, byId.get(id)?.status]).toEqual([id, 'passed']);
    }
    await expectNoSecrets(r.out, Object.values(PASSWORDS));
  });

  it.each([
    ['reader-publishes', 'security.access.reader-publishes-private'],
    ['private-public', 'security.access.anonymous-reads-private'],
  ] as const)('%s → rollback (exit 1) naming %s', async (name, top) => {
    const r = await verify(CONFIG, ['--base-url', urlOf(name)], ENV);
    expect(summary(r), r.output).toEqual({ code: 1, verdict: 'rollback', top });
    await expectNoSecrets(r.out, Object.values(PASSWORDS));
  });

  it('health 500 behind the proxy → rollback (exit 1) naming smoke.readiness', async () => {
    const url = proxies['health-500']?.url ?? '';
    const r = await verify(CONFIG, ['--base-url', url], ENV);
    expect(summary(r), r.output).toEqual({ code: 1, verdict: 'rollback', top: 'smoke.readiness' });
    expect(r.verdict.reasons[0]?.message).toContain('500');
  });

  it("a wrong password in the reader's env → the login is refused: rollback naming smoke.login.bob", async () => {
    const wrong = `wrong-canary-${process.pid}-Px2`;
    const r = await verify(CONFIG, ['--base-url', urlOf('wrong-password')], { ...ENV, VERDACCIO_BOB_PASSWORD: wrong });
    expect(summary(r), r.output).toEqual({ code: 1, verdict: 'rollback', top: 'smoke.login.bob' });
    const bob = r.verdict.checks.find((c) => c.id === 'smoke.login.bob');
    expect(bob?.status).toBe('failed');
    expect(bob?.message).toContain('401');
    expect(r.verdict.checks.find((c) => c.id === 'smoke.login.alice')?.status).toBe('passed');
    await expectNoSecrets(r.out, [...Object.values(PASSWORDS), wrong]);
  });
});
