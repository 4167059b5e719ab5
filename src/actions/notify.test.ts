import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redactor } from '../core/redact.ts';
import { fakeSleep, fixtureConfig, fixtureReport, recordingServer, type RecordingServer } from './_testing.ts';
import { runActions } from './index.ts';

const SLACK_PATH = '/services/T000/B000/xoxSecretPart9876';
let dir: string;
let slack: RecordingServer;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdv-notify-'));
  slack = await recordingServer();
});
afterEach(async () => {
  await slack.close();
  await rm(dir, { recursive: true, force: true });
});

function run(verdict: 'stand' | 'hold' | 'rollback', notify: Record<string, unknown>, environ: NodeJS.ProcessEnv = { SLACK_WEBHOOK_URL: slack.url + SLACK_PATH }) {
  return runActions({
    report: fixtureReport({ verdict }),
    config: fixtureConfig({}, { notify }, dir),
    runDir: join(dir, 'run-1'),
    reportsDir: dir,
    redactor: new Redactor(),
    dryRun: false,
    env: environ,
    sleep: fakeSleep(),
  });
}

describe('Slack notification', () => {
  it('posts verdict, environment, version, top reasons and the report link on hold', async () => {
    const records = await run('hold', { slack: { topReasons: 1, reportUrl: 'https://ci.example/runs/{runId}' } });
    expect(slack.received).toHaveLength(1);
    expect(slack.received[0]!.url).toBe(SLACK_PATH);
    const msg = JSON.parse(slack.received[0]!.body) as { text: string };
    expect(msg.text).toContain('*HOLD*');
    expect(msg.text).toContain('staging 1.4.0 (deploy deploy-42)');
    expect(msg.text).toContain('`smoke.health` critical failed: GET /health → 503 down');
    expect(msg.text).not.toContain('smoke.login');
    expect(msg.text).toContain('…and 1 more');
    expect(msg.text).toContain('<https://ci.example/runs/run-1|Report run-1>');
    expect(records).toEqual([expect.objectContaining({ kind: 'notify', name: 'slack', status: 'succeeded' })]);
    expect(JSON.stringify(records)).not.toContain('xoxSecretPart9876');
  });

  it('includes what the rollback did in a rollback message', async () => {
    const records = await runActions({
      report: fixtureReport(),
      config: fixtureConfig({ rollback: { actions: [{ type: 'command', name: 'switch-back', command: ['false'], retries: 0 }] } }, { notify: { slack: {} } }, dir),
      runDir: dir,
      reportsDir: dir,
      redactor: new Redactor(),
      dryRun: false,
      env: { SLACK_WEBHOOK_URL: slack.url + SLACK_PATH },
    });
    expect(records.map((r) => `${r.kind}:${r.status}`)).toEqual(['rollback:failed', 'notify:succeeded']);
    const msg = JSON.parse(slack.received[0]!.body) as { text: string };
    expect(msg.text).toMatch(/:bangbang: rollback switch-back: failed — ROLLBACK FAILED/);
  });

  it('stays quiet on stand unless asked', async () => {
    expect(await run('stand', { slack: {} })).toEqual([expect.objectContaining({ status: 'skipped' })]);
    expect(slack.received).toHaveLength(0);
    await run('stand', { slack: { on: ['stand', 'hold', 'rollback'] } });
    expect(JSON.parse(slack.received[0]!.body).text).toContain('*STAND*');
  });

  it('retries a Slack 500 and records a failure after the retries without leaking the URL', async () => {
    slack.respond = (n) => (n === 1 ? 500 : 200);
    const ok = await run('hold', { slack: {} });
    expect(ok[0]!.attempts.map((a) => a.ok)).toEqual([false, true]);
    slack.respond = () => 500;
    const bad = await run('hold', { slack: { retries: 1 } });
    expect(bad[0]).toMatchObject({ status: 'failed' });
    expect(bad[0]!.message).toContain('$SLACK_WEBHOOK_URL');
    expect(JSON.stringify([ok, bad])).not.toContain('xoxSecretPart9876');
  });

  it('fails (without sending) when the webhook env var is missing, and a dry run sends nothing', async () => {
    const missing = await run('hold', { slack: {} }, {});
    expect(missing[0]).toMatchObject({ status: 'failed', message: expect.stringContaining('$SLACK_WEBHOOK_URL is not set') });
    const dry = await runActions({
      report: fixtureReport({ verdict: 'hold' }),
      config: fixtureConfig({}, { notify: { slack: {} } }, dir),
      runDir: dir,
      reportsDir: dir,
      redactor: new Redactor(),
      dryRun: true,
      env: { SLACK_WEBHOOK_URL: slack.url + SLACK_PATH },
    });
    expect(dry[0]).toMatchObject({ status: 'dry-run' });
    expect(slack.received).toHaveLength(0);
  });
});
