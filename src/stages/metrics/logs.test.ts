import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStageContext, removeStageDirs } from '../../../e2e/helpers/stage-context.ts';
import { SourceError } from '../../sources/types.ts';
import type { LogSource, LogWindow } from '../../sources/logs/types.ts';
import { metricsStage } from './index.ts';
import { logCheckConfigSchema } from './logs-config.ts';
import { runLogChecks } from './logs.ts';

const MIN = 60_000;
const DEPLOY = Date.UTC(2026, 11, 1, 10);
const cfg = (over: Record<string, unknown> = {}) => logCheckConfigSchema.parse({ name: 'app', source: { type: 'file', paths: ['x'] }, window: 30 * MIN, step: MIN, ...over });

/** 100 lines a minute; `errors(minute, after)` error messages among them. */
function fakeSource(errors: (i: number, after: boolean) => string[], opts: { linesPerBin?: number; fail?: boolean } = {}): LogSource {
  return {
    kind: 'file',
    name: 'app',
    describe: 'fake',
    async window(q): Promise<LogWindow> {
      if (opts.fail) throw new SourceError('app', 'query timed out');
      const after = q.start >= DEPLOY;
      const bins = [];
      const messages = [];
      for (let t = q.start, i = 0; t < q.end; t += q.stepMs, i++) {
        const msgs = errors(i, after);
        bins.push({ t, total: opts.linesPerBin ?? 100, errors: msgs.length });
        messages.push(...msgs.map((message) => ({ time: t, message })));
      }
      return { bins, totalLines: bins.reduce((s, b) => s + b.total, 0), errorLines: messages.length, messages, truncated: false };
    },
  };
}

const run = (source: LogSource, over: Record<string, unknown> = {}) => runLogChecks(cfg(over), source, { deployTime: DEPLOY, now: DEPLOY + 60 * MIN });
const status = (out: Awaited<ReturnType<typeof run>>) => Object.fromEntries(out.checks.map((c) => [c.id, c.status]));

describe('log checks', () => {
  it('pass when the same errors occur at the same rate', async () => {
    const out = await run(fakeSource((i) => (i % 2 ? [`db timeout after ${i} ms`] : [])));
    expect(status(out)).toEqual({ 'metrics.logs.app.error-rate': 'passed', 'metrics.logs.app.new-signatures': 'passed' });
  });

  it('fail on a new signature at a steady rate after the deploy, and on the error rate it raises', async () => {
    const out = await run(fakeSource((i, after) => [`db timeout after ${i} ms`, ...(after ? [`TypeError: cannot read "x" of undefined (render ${i})`, `TypeError: cannot read "y" of undefined (render ${i + 1})`] : [])]));
    expect(status(out)).toEqual({ 'metrics.logs.app.error-rate': 'failed', 'metrics.logs.app.new-signatures': 'failed' });
    const sig = out.checks.find((c) => c.id.endsWith('new-signatures'))!;
    expect(sig.message).toContain('"TypeError: cannot read <str> of undefined (render <n>)" ×60');
    const top = sig.evidence.find((e) => e.kind === 'json')?.data as Array<{ count: number; example: string }>;
    expect(top).toHaveLength(1);
    expect(top[0]).toMatchObject({ count: 60, example: 'TypeError: cannot read "x" of undefined (render 0)' });
  });

  it('a new signature below the threshold is listed, not failed', async () => {
    const out = await run(fakeSource((i, after) => (after && i < 3 ? ['rare thing 1'] : [])), { newSignatures: { threshold: 5 }, errorRate: { enabled: false } });
    expect(status(out)).toEqual({ 'metrics.logs.app.new-signatures': 'passed' });
    expect(out.extra.newSignatures?.[0]?.count).toBe(3);
  });

  it('is errored (hold) when a window holds fewer lines than it must', async () => {
    const out = await run(fakeSource(() => [], { linesPerBin: 0 }), { minLines: 10 });
    expect(status(out)).toEqual({ 'metrics.logs.app.error-rate': 'errored', 'metrics.logs.app.new-signatures': 'errored' });
    expect(out.checks[0]?.message).toContain('0 line(s) before the deploy, 0 line(s) after the deploy');
  });

  it('is errored (hold) when the source cannot answer', async () => {
    const out = await run(fakeSource(() => [], { fail: true }));
    expect(out.checks.map((c) => c.status)).toEqual(['errored', 'errored']);
    expect(out.checks[0]?.message).toContain('query timed out');
  });

  it('is errored when there is no after-deploy window yet', async () => {
    const out = await runLogChecks(cfg(), fakeSource(() => []), { deployTime: DEPLOY, now: DEPLOY });
    expect(out.checks.map((c) => c.status)).toEqual(['errored', 'errored']);
  });
});

describe('metrics stage with a JSON-lines log file', () => {
  let dir: string;
  const secret = `tok-canary-${process.pid}-LOGS`;
  afterAll(async () => {
    await removeStageDirs();
    await rm(dir, { recursive: true, force: true });
  });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pdv-logstage-'));
  });

  it('emits both checks, redacts the example, and needs no metric source', async () => {
    const deploy = Date.now() - 30 * MIN;
    const lines: string[] = [];
    for (let t = deploy - 30 * MIN; t < deploy + 30 * MIN; t += 10_000) {
      lines.push(JSON.stringify({ time: t, level: 'info', msg: 'GET /api/projects 200' }));
      if (t >= deploy) lines.push(JSON.stringify({ time: t + 1, level: 'error', msg: `upstream rejected token ${secret} for job ${t}` }));
    }
    const file = join(dir, 'app.jsonl');
    await writeFile(file, lines.join('\n'));
    const ctx = await makeStageContext({
      target: { environment: 'staging', baseUrl: 'http://127.0.0.1:9' },
      secrets: { API_TOKEN: secret },
      config: { stages: { metrics: { deployTime: new Date(deploy).toISOString(), waitForWindow: false, logs: [{ name: 'api', source: { type: 'file', paths: [file] }, window: '30m', step: '1m' }] } } },
    });
    await metricsStage.run(ctx);
    expect(ctx.checks.map((c) => [c.id, c.status]).sort()).toEqual([
      ['metrics.logs.api.error-rate', 'failed'],
      ['metrics.logs.api.new-signatures', 'failed'],
    ]);
    const all = JSON.stringify(ctx.events);
    expect(all).not.toContain(secret);
    expect(all).toContain('upstream rejected token [REDACTED');
    expect((ctx.events.find((e) => e.type === 'extra' && e.key === 'metrics') as { value: { logs: unknown[] } } | undefined)?.value.logs).toHaveLength(1);
  });
});
