import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../core/redact.ts';
import type { ActionRecord, CheckResult } from '../../core/types.ts';
import { fakeSleep, fixtureConfig, fixtureReport, recordingServer, type RecordingServer } from '../_testing.ts';
import { ledgerPath, readEntry } from '../ledger.ts';
import { runActions, verifySignature } from '../index.ts';

const HMAC = 'hmac-key-5f0c2d9e8b7a';
const TOKEN = 'ghp_tokenvalue0123456789abcdef';
let dir: string;
let server: RecordingServer;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdv-actions-'));
  server = await recordingServer();
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function run(env: Record<string, unknown>, opts: { verdict?: 'rollback' | 'hold' | 'stand'; dryRun?: boolean; environ?: NodeJS.ProcessEnv; smoke?: () => Promise<CheckResult[]> } = {}) {
  return runActions({
    report: fixtureReport({ verdict: opts.verdict ?? 'rollback' }),
    config: fixtureConfig(env, {}, dir),
    runDir: join(dir, 'run-1'),
    reportsDir: dir,
    redactor: new Redactor(),
    dryRun: opts.dryRun ?? false,
    env: opts.environ ?? { HOOK_SECRET: HMAC, HOOK_URL: `${server.url}/hooks/s3cr3t-path-abcdef`, GH_TOKEN: TOKEN },
    sleep: fakeSleep(),
    ...(opts.smoke ? { smoke: opts.smoke } : {}),
  });
}

const webhook = (extra: Record<string, unknown> = {}) => ({
  rollback: { actions: [{ type: 'webhook', name: 'switch', urlEnv: 'HOOK_URL', secretEnv: 'HOOK_SECRET', ...extra }], verify: { enabled: false } },
});

function assertNoSecrets(value: unknown): void {
  const text = JSON.stringify(value);
  for (const s of [HMAC, TOKEN, 's3cr3t-path-abcdef']) expect(text).not.toContain(s);
}

describe('webhook rollback', () => {
  it('POSTs the verdict signed with HMAC-SHA256 that verifies against the raw body', async () => {
    const records = await run(webhook());
    expect(server.received).toHaveLength(1);
    const got = server.received[0]!;
    expect(got.url).toBe('/hooks/s3cr3t-path-abcdef');
    expect(verifySignature(HMAC, got.body, got.headers['x-pdv-signature'] as string)).toBe(true);
    expect(verifySignature('wrong-key', got.body, got.headers['x-pdv-signature'] as string)).toBe(false);
    expect(verifySignature(HMAC, got.body + ' ', got.headers['x-pdv-signature'] as string)).toBe(false);
    const body = JSON.parse(got.body) as Record<string, unknown>;
    expect(body).toMatchObject({ event: 'pdv.rollback', environment: 'staging', deployId: 'deploy-42', verdict: 'rollback', version: '1.4.0' });
    expect((body.reasons as unknown[]).length).toBe(2);
    expect(got.headers['idempotency-key']).toBe('staging/deploy-42');
    expect(records[0]).toMatchObject({ kind: 'rollback', name: 'switch', status: 'succeeded' });
    expect(records[0]!.attempts).toHaveLength(1);
    const ledger = await readEntry(ledgerPath(dir, 'staging', 'deploy-42'));
    expect(ledger).toMatchObject({ state: 'done', result: 'succeeded' });
    assertNoSecrets(records);
    assertNoSecrets(await readFile(ledgerPath(dir, 'staging', 'deploy-42'), 'utf8'));
  });

  it('retries a 500 and a timeout, recording each attempt', async () => {
    server.respond = (n) => (n === 1 ? 500 : n === 2 ? 'hang' : 200);
    const records = await run(webhook({ timeout: 300, retries: 3 }));
    expect(server.received).toHaveLength(3);
    const r = records[0]!;
    expect(r.status).toBe('succeeded');
    expect(r.attempts.map((a) => a.ok)).toEqual([false, false, true]);
    expect(r.attempts[0]!.message).toContain('HTTP 500');
    expect(r.attempts[1]!.message).toMatch(/no answer within 300 ms/);
    // The receiver can drop duplicates: every retry carries the same key.
    expect(new Set(server.received.map((x) => x.headers['idempotency-key'])).size).toBe(1);
    assertNoSecrets(records);
  });

  it('does not retry a 4xx refusal, and says loudly that a person must act', async () => {
    server.respond = () => 403;
    const records = await run(webhook());
    expect(server.received).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'failed', details: { needsPerson: true } });
    expect(records[0]!.message).toMatch(/^ROLLBACK FAILED/);
    expect(await readEntry(ledgerPath(dir, 'staging', 'deploy-42'))).toMatchObject({ state: 'done', result: 'failed' });
  });

  it('gives up after the configured retries', async () => {
    server.respond = () => 503;
    const records = await run(webhook({ retries: 2 }));
    expect(server.received).toHaveLength(3);
    expect(records[0]!.status).toBe('failed');
    expect(records[0]!.attempts).toHaveLength(3);
  });

  it('fires at most once per deploy id: a second verify of the same deploy is skipped', async () => {
    await run(webhook());
    const again = await run(webhook());
    expect(server.received).toHaveLength(1);
    expect(again[0]).toMatchObject({ kind: 'rollback', status: 'skipped' });
    expect(again[0]!.message).toMatch(/already fired by run run-1/);
  });

  it('--dry-run records what would be done and fires nothing (and claims no ledger slot)', async () => {
    const records = await run(webhook(), { dryRun: true });
    expect(server.received).toHaveLength(0);
    expect(records[0]).toMatchObject({ status: 'dry-run' });
    expect(records[0]!.message).toMatch(/Would POST the rollback verdict to \$HOOK_URL, signed with the key in \$HOOK_SECRET/);
    await expect(stat(ledgerPath(dir, 'staging', 'deploy-42'))).rejects.toThrow();
    assertNoSecrets(records);
  });

  it('does not fire on stand or hold, and not without a deploy id or version', async () => {
    expect(await run(webhook(), { verdict: 'hold' })).toEqual([]);
    expect(server.received).toHaveLength(0);
    const records = await runActions({
      report: fixtureReport({ target: { environment: 'staging', baseUrl: 'http://127.0.0.1:9' } }),
      config: fixtureConfig(webhook(), {}, dir),
      runDir: dir,
      reportsDir: dir,
      redactor: new Redactor(),
      dryRun: false,
      env: { HOOK_URL: server.url },
    });
    expect(server.received).toHaveLength(0);
    expect(records[0]).toMatchObject({ status: 'skipped', details: { needsPerson: true } });
  });

  it('does not fire when the at-most-once ledger cannot be written', async () => {
    const blocked = join(dir, 'not-a-folder');
    await writeFile(blocked, 'a file where the reports folder should be');
    const records = await runActions({
      report: fixtureReport(),
      config: fixtureConfig(webhook(), {}, dir),
      runDir: dir,
      reportsDir: blocked,
      redactor: new Redactor(),
      dryRun: false,
      env: { HOOK_SECRET: HMAC, HOOK_URL: server.url },
    });
    expect(server.received).toHaveLength(0);
    expect(records[0]).toMatchObject({ status: 'failed', details: { needsPerson: true } });
    expect(records[0]!.message).toMatch(/Could not write the at-most-once ledger.*did NOT fire/);
  });

  it('records a rollback verdict with no action configured as needing a person', async () => {
    const records = await run({});
    expect(records[0]).toMatchObject({ kind: 'rollback', status: 'skipped', details: { needsPerson: true } });
  });
});

describe('GitHub workflow dispatch', () => {
  it('POSTs to the dispatches endpoint with the token and filled-in inputs', async () => {
    server.respond = (n) => (n === 1 ? 502 : 204);
    const records = await run({
      rollback: {
        actions: [{ type: 'github', repository: 'studio/app', workflow: 'rollback.yml', ref: 'release', tokenEnv: 'GH_TOKEN', apiUrl: server.url, inputs: { deploy: '{deployId}', env: '{environment}' } }],
        verify: { enabled: false },
      },
    });
    expect(server.received).toHaveLength(2);
    const got = server.received[1]!;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/repos/studio/app/actions/workflows/rollback.yml/dispatches');
    expect(got.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(got.headers['x-github-api-version']).toBe('2022-11-28');
    expect(JSON.parse(got.body)).toEqual({ ref: 'release', inputs: { deploy: 'deploy-42', env: 'staging' } });
    expect(records[0]).toMatchObject({ status: 'succeeded' });
    expect(records[0]!.attempts).toHaveLength(2);
    assertNoSecrets(records);
  });

  it('fails without retrying when the token is missing', async () => {
    const records = await run(
      { rollback: { actions: [{ type: 'github', repository: 'studio/app', workflow: 7, tokenEnv: 'NOPE', apiUrl: server.url }], verify: { enabled: false } } },
    );
    expect(server.received).toHaveLength(0);
    expect(records[0]).toMatchObject({ status: 'failed' });
    expect(records[0]!.message).toMatch(/\$NOPE is not set/);
  });
});

describe('post-rollback verification', () => {
  it('waits for the previous version, then runs smoke against it and says health was restored', async () => {
    let versionCalls = 0;
    const app = await import('node:http').then(({ createServer }) => {
      const s = createServer((req, res) => {
        if (req.url === '/version') {
          versionCalls++;
          return res.end(JSON.stringify({ version: versionCalls < 3 ? '1.4.0' : '1.3.2' }));
        }
        res.end('{}');
      });
      return new Promise<import('node:http').Server>((r) => s.listen(0, '127.0.0.1', () => r(s)));
    });
    const url = `http://127.0.0.1:${(app.address() as import('node:net').AddressInfo).port}`;
    try {
      const seen: string[] = [];
      const records = await runActions({
        report: fixtureReport({ target: { environment: 'staging', baseUrl: url, observedVersion: '1.4.0', deployId: 'd-9' } }),
        config: fixtureConfig({ baseUrl: url, version: { path: '/version', field: 'version' }, rollback: { actions: [{ type: 'command', command: ['true'] }], verify: { previousVersion: '1.3.2', interval: 20, timeout: 5_000 } } }, {}, dir),
        runDir: dir,
        reportsDir: dir,
        redactor: new Redactor(),
        dryRun: false,
        env: {},
        smoke: async (target) => {
          seen.push(`${target.baseUrl} ${target.expectedVersion}`);
          return [check('smoke.health', 'passed'), check('smoke.login', 'passed')];
        },
      });
      expect(records.map((r) => `${r.kind}:${r.status}`)).toEqual(['rollback:succeeded', 'post-rollback:succeeded']);
      expect(seen).toEqual([`${url} 1.3.2`]);
      const v = records[1]!;
      expect(v.details).toMatchObject({ healthRestored: true, observedVersion: '1.3.2', previousVersion: '1.3.2', smoke: { total: 2, passed: 2 } });
      expect(versionCalls).toBe(3);
    } finally {
      app.closeAllConnections();
      await new Promise((r) => app.close(r));
    }
  });

  it('fails loudly when the version never changes (bounded wait) and does not run smoke', async () => {
    const app = await recordingServer(() => 200);
    // /version answers text "ok": no version at all.
    let smokeRan = false;
    try {
      const records = await runActions({
        report: fixtureReport({ target: { environment: 'staging', baseUrl: app.url, observedVersion: '1.4.0', deployId: 'd-10' } }),
        config: fixtureConfig({ baseUrl: app.url, version: { path: '/version', field: 'version' }, rollback: { actions: [{ type: 'command', command: ['true'] }], verify: { interval: 10, timeout: 200 } } }, {}, dir),
        runDir: dir,
        reportsDir: dir,
        redactor: new Redactor(),
        dryRun: false,
        env: {},
        smoke: async () => {
          smokeRan = true;
          return [];
        },
      });
      const v = records[1] as ActionRecord;
      expect(v).toMatchObject({ kind: 'post-rollback', status: 'failed', details: { healthRestored: false, needsPerson: true } });
      expect(v.message).toMatch(/health NOT restored/);
      expect(smokeRan).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('says health was not restored when the smoke checks fail on the previous version', async () => {
    const app = await import('node:http').then(({ createServer }) => {
      const s = createServer((_req, res) => res.end(JSON.stringify({ version: '1.3.2' })));
      return new Promise<import('node:http').Server>((r) => s.listen(0, '127.0.0.1', () => r(s)));
    });
    const url = `http://127.0.0.1:${(app.address() as import('node:net').AddressInfo).port}`;
    try {
      const records = await runActions({
        report: fixtureReport({ target: { environment: 'staging', baseUrl: url, observedVersion: '1.4.0', deployId: 'd-11' } }),
        config: fixtureConfig({ baseUrl: url, rollback: { actions: [{ type: 'command', command: ['true'] }] } }, {}, dir),
        runDir: dir,
        reportsDir: dir,
        redactor: new Redactor(),
        dryRun: false,
        env: {},
        smoke: async () => [check('smoke.health', 'failed'), check('smoke.flags', 'passed')],
      });
      expect(records[1]).toMatchObject({ status: 'failed', details: { healthRestored: false, smoke: { failed: 1 } } });
      expect(records[1]!.message).toMatch(/did NOT restore health.*smoke\.health failed/);
    } finally {
      app.closeAllConnections();
      await new Promise((r) => app.close(r));
    }
  });
});

function check(id: string, status: CheckResult['status']): CheckResult {
  return { id, stage: 'smoke', title: id, severity: 'critical', status, message: `${id} ${status}`, durationMs: 1, attempts: 1, evidence: [] };
}

describe('post-rollback verification without a version endpoint', () => {
  // Regression: the post-rollback wait polled `/version` by default — the demo's path — so on
  // any other app it waited out its timeout and reported the rollback unconfirmed.
  it('runs the smoke checks alone when nothing says where the version is', async () => {
    const seen: string[] = [];
    const records = await runActions({
      report: fixtureReport({ target: { environment: 'staging', baseUrl: 'http://127.0.0.1:9', observedVersion: '1.4.0', deployId: 'd-nov' } }),
      config: fixtureConfig({ baseUrl: 'http://127.0.0.1:9', rollback: { actions: [{ type: 'command', command: ['true'] }], verify: { interval: 10, timeout: 200 } } }, {}, dir),
      runDir: dir,
      reportsDir: dir,
      redactor: new Redactor(),
      dryRun: false,
      env: {},
      smoke: async (target) => {
        seen.push(target.baseUrl);
        return [check('smoke.readiness', 'passed')];
      },
    });
    const post = records.find((r) => r.kind === 'post-rollback');
    expect(post).toMatchObject({ status: 'succeeded' });
    expect(post?.message).toContain('smoke checks only');
    expect(seen).toEqual(['http://127.0.0.1:9']);
  });
});
