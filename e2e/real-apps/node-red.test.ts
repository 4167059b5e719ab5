import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../src/platform/browser.ts';
import type { VerdictReport } from '../../src/core/types.ts';
import { skipWithoutChromium } from '../helpers/binaries.ts';
import { readVerdict, REPO, runCli } from '../helpers/cli.ts';
import { edit, EXAMPLES } from '../helpers/examples.ts';
import { countingRelay, nodeRedSettings, startNodeRed, type TestNodeRed } from '../helpers/node-red.ts';
import { findSecrets } from '../helpers/scan-secrets.ts';

// Proof of the browser sign-in (`auth.type: 'browser'`) on a real application
// nobody on this project wrote: Node-RED 4, whose editor draws its login form
// with JavaScript and keeps the access token in localStorage. The real CLI
// against a real Node-RED process; its exit code and verdict.json.

const CONFIG = join(EXAMPLES, 'node-red', 'pdv.config.ts');
const PASSWORDS = { admin: `admin-canary-${process.pid}-Hq8`, reader: `reader-canary-${process.pid}-Vt3` };
const ENV = { NODE_RED_ADMIN_PASSWORD: PASSWORDS.admin, NODE_RED_READER_PASSWORD: PASSWORDS.reader };

const tempDirs: string[] = [];
const temp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(d);
  return d;
};

/** The example config with `from` replaced by `to`, written to a temp folder (its imports and spec folder made absolute). */
function configVariant(from: string | RegExp, to: string): string {
  const text = readFileSync(CONFIG, 'utf8');
  const moved = edit(edit(text, "'../../src/config/index.ts'", `'${pathToFileURL(join(REPO, 'src', 'config', 'index.ts')).href}'`), "testDir: 'uat'", `testDir: ${JSON.stringify(join(EXAMPLES, 'node-red', 'uat'))}`);
  const file = join(temp('pdv-node-red-config-'), 'pdv.config.ts');
  writeFileSync(file, edit(moved, from, to));
  return file;
}

interface Run {
  code: number | null;
  verdict: VerdictReport;
  out: string;
  output: string;
}

async function verify(config: string, url: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const out = temp('pdv-node-red-run-');
  const r = await runCli(['verify', '--config', config, '--base-url', url, '--out', out], { env, timeoutMs: 180_000 });
  const output = `${r.stdout}\n${r.stderr}`;
  try {
    return { code: r.code, verdict: readVerdict(out), out, output };
  } catch (err) {
    throw new Error(`no verdict.json (exit ${r.code}): ${output}`, { cause: err });
  }
}

const summary = (r: Run): { code: number | null; verdict: string; top: string | undefined } => ({ code: r.code, verdict: r.verdict.verdict, top: r.verdict.reasons[0]?.checkId });
const statusOf = (r: Run, id: string): string | undefined => r.verdict.checks.find((c) => c.id === id)?.status;

/** No password and no token Node-RED issued, plain, URL-encoded or base64, in any file of the run folder (inside trace zips too). */
async function expectNoSecrets(r: Run, app: TestNodeRed, extra: string[] = []): Promise<{ zipsScanned: number }> {
  const tokens = app.issuedTokens();
  const { hits, filesScanned, zipsScanned } = await findSecrets(r.out, [...Object.values(PASSWORDS), ...extra, ...tokens]);
  expect(filesScanned).toBeGreaterThan(3);
  expect(hits).toEqual([]);
  return { zipsScanned };
}

describe.skipIf(skipWithoutChromium(findChromium()))('real app: Node-RED 4, a browser sign-in', () => {
  const settings = nodeRedSettings();
  const variants = {
    healthy: settings,
    // An access-control regression only a signed-in role sees: the reader got every permission.
    'reader-is-admin': edit(settings, "username: 'reader', password: process.env.NODE_RED_READER_HASH, permissions: 'read'", "username: 'reader', password: process.env.NODE_RED_READER_HASH, permissions: '*'"),
  };
  const apps: Partial<Record<keyof typeof variants, TestNodeRed>> = {};

  beforeAll(async () => {
    await Promise.all(
      (Object.keys(variants) as Array<keyof typeof variants>).map(async (name) => {
        apps[name] = await startNodeRed({ settings: variants[name], passwords: PASSWORDS });
      }),
    );
  }, 120_000);
  afterAll(async () => {
    await Promise.all(Object.values(apps).map((a) => a?.stop()));
    await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  const app = (name: keyof typeof variants): TestNodeRed => {
    const a = apps[name];
    if (!a) throw new Error(`node-red ${name} did not start`);
    return a;
  };

  it('healthy → stand (exit 0): both roles signed in through the browser, the token works on the API, the UAT specs open the editor signed in', async () => {
    const r = await verify(CONFIG, app('healthy').url, ENV);
    expect(summary(r), r.output).toEqual({ code: 0, verdict: 'stand', top: undefined });
    for (const id of [
      'smoke.readiness',
      'smoke.login.admin',
      'smoke.login.reader',
      'smoke.editor',
      'smoke.reader-reads-flows',
      'security.access.anonymous-reads-flows',
      'security.access.anonymous-deploys',
      'security.access.reader-deploys',
      'security.access.reader-reads-flows',
    ]) {
      expect([id, statusOf(r, id)]).toEqual([id, 'passed']);
    }
    // The specs ran as each role with the storage state of pdv's own sign-in (no password in them).
    const uat = r.verdict.checks.filter((c) => c.stage === 'uat');
    expect(uat.map((c) => [c.id, c.status])).toEqual([
      ['uat.editor.admin.opens-the-editor-signed-in-with-the-deploy-button', 'passed'],
      ['uat.editor.reader.opens-the-editor-signed-in-read-only', 'passed'],
    ]);
    // One browser sign-in per role for the whole run (smoke, UAT, security): two tokens issued.
    expect(app('healthy').issuedTokens()).toHaveLength(2);
    await expectNoSecrets(r, app('healthy'));
  });

  it("a wrong password for the reader → rollback (exit 1) naming smoke.login.reader, in Node-RED's own words", async () => {
    const wrong = `wrong-canary-${process.pid}-Lk5`;
    const r = await verify(CONFIG, app('healthy').url, { ...ENV, NODE_RED_READER_PASSWORD: wrong });
    expect(summary(r), r.output).toEqual({ code: 1, verdict: 'rollback', top: 'smoke.login.reader' });
    expect(statusOf(r, 'smoke.login.reader')).toBe('failed');
    expect(r.verdict.reasons[0]?.message).toContain('Login failed');
    expect(statusOf(r, 'smoke.login.admin')).toBe('passed');
    await expectNoSecrets(r, app('healthy'), [wrong]);
  });

  it("a role's password env not set → exit 3 before any request, nothing written", async () => {
    const relay = await countingRelay(app('healthy').url);
    try {
      const out = join(temp('pdv-node-red-unset-'), 'run');
      const r = await runCli(['verify', '--config', CONFIG, '--base-url', relay.url, '--out', out], { env: { NODE_RED_ADMIN_PASSWORD: PASSWORDS.admin }, timeoutMs: 60_000 });
      expect(r.code, r.stdout + r.stderr).toBe(3);
      expect(r.stderr).toContain('NODE_RED_READER_PASSWORD');
      expect(existsSync(out)).toBe(false);
      expect(relay.connections()).toBe(0);
      // The relay does count: one request through it is one connection.
      expect((await fetch(`${relay.url}/auth/login`)).status).toBe(200);
      expect(relay.connections()).toBe(1);
    } finally {
      await relay.close();
    }
  });

  it('a login step whose selector matches nothing → hold (exit 2), never rollback: pdv could not sign in', async () => {
    const config = configVariant("url: '/',", "url: '/',\n        steps: [{ action: 'fill', selector: '#nope', value: '{username}' }],");
    const r = await verify(config, app('healthy').url, ENV);
    expect([r.code, r.verdict.verdict], r.output).toEqual([2, 'hold']);
    // Nothing pushes toward rollback: every reason is a hold (the header grade's failures are warnings only).
    expect(r.verdict.reasons.filter((x) => x.effect !== 'hold').map((x) => x.checkId)).toEqual([]);
    expect(r.verdict.reasons.map((x) => x.checkId)).toEqual(expect.arrayContaining(['smoke.login.admin', 'smoke.login.reader']));
    for (const role of ['admin', 'reader']) {
      const login = r.verdict.checks.find((c) => c.id === `smoke.login.${role}`);
      expect([login?.status, login?.message]).toEqual(['errored', expect.stringContaining('#nope')]);
    }
    await expectNoSecrets(r, app('healthy'));
  });

  it('the reader given every permission → rollback (exit 1) naming the access rule security.access.reader-deploys', async () => {
    const r = await verify(CONFIG, app('reader-is-admin').url, ENV);
    expect(summary(r), r.output).toEqual({ code: 1, verdict: 'rollback', top: 'security.access.reader-deploys' });
    expect(r.verdict.reasons[0]?.message).toContain('400');
    // The editor shows it as well: the reader's deploy button is no longer read-only (major).
    expect(statusOf(r, 'uat.editor.reader.opens-the-editor-signed-in-read-only')).toBe('failed');
    // That spec failed and was retried with a trace (on-first-retry): the token in its storage state and headers is redacted.
    const { zipsScanned } = await expectNoSecrets(r, app('reader-is-admin'));
    expect(zipsScanned).toBeGreaterThan(0);
  });
});
