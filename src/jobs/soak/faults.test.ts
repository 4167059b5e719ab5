import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import { UnrecordedVerdictError, UsageError } from '../../core/errors.ts';
import { judgeSoak } from './judge.ts';
import { startSoak, tickSoak } from './lifecycle.ts';
import { appendTick, readState, readTicks } from './store.ts';
import type { TickRecord } from './types.ts';

// Harness faults in the soak: traffic only to allowed hosts, no redirects
// followed or counted as ok, and sequence numbers that survive a kill.

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'pdv-soak-faults-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function configFor(env: Record<string, unknown>, soak: Record<string, unknown> = {}): Promise<Awaited<ReturnType<typeof loadConfig>>> {
  const d = tmp();
  const file = join(d, 'pdv.config.ts');
  writeFileSync(file, `export default ${JSON.stringify({ environments: { staging: env }, stages: { metrics: { soak } }, reportsDir: join(d, 'reports') })};\n`);
  return loadConfig({ config: file }, {});
}

function refusal(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('soak start refuses hosts that are not on environment.allowedHosts', () => {
  it.each([
    ['the base URL (loopback is not implied)', { baseUrl: 'http://127.0.0.1:9', allowedHosts: [] }, {}, '127.0.0.1:9'],
    ['the base URL', { baseUrl: 'https://staging.example', allowedHosts: ['other.example'] }, {}, 'staging.example'],
    ['an absolute probe', { baseUrl: 'https://staging.example', allowedHosts: ['staging.example'] }, { probes: [{ name: 'ext', path: 'https://evil.example/ping' }] }, 'evil.example'],
    ['the metrics page', { baseUrl: 'https://staging.example', allowedHosts: ['staging.example'] }, { process: { metricsPath: 'https://metrics.other.example/metrics' } }, 'metrics.other.example'],
  ])('%s: usage error naming the host, nothing written', async (_what, env, soak, host) => {
    const config = await configFor(env, soak);
    const state = join(tmp(), 'state');
    const err = refusal(() => startSoak({ config, dir: state }));
    expect(err.message).toContain(host);
    expect(err.message).toMatch(/allowedHosts/);
    expect(existsSync(state)).toBe(false);
  });

  it('listed hosts start', async () => {
    const config = await configFor({ baseUrl: 'http://127.0.0.1:9', allowedHosts: ['127.0.0.1'] });
    const state = join(tmp(), 'state');
    expect(startSoak({ config, dir: state }).plan.target.baseUrl).toBe('http://127.0.0.1:9');
  });
});

describe('soak samples', () => {
  let target: Server;
  let elsewhere: Server;
  let elsewhereHits = 0;
  let targetUrl = '';
  const url = (s: Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  beforeAll(async () => {
    elsewhere = createServer((_req, res) => {
      elsewhereHits++;
      res.end('process_resident_memory_bytes 123\n');
    });
    await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
    target = createServer((req, res) => {
      if (req.url === '/health') res.end('ok');
      else if (req.url === '/moved') res.writeHead(302, { location: '/login' }).end();
      else res.writeHead(302, { location: `${url(elsewhere)}/metrics` }).end(); // /metrics goes elsewhere
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetUrl = url(target);
  });
  afterAll(async () => {
    await new Promise((r) => target.close(r));
    await new Promise((r) => elsewhere.close(r));
  });
  afterEach(() => {
    elsewhereHits = 0;
  });

  async function started(soak: Record<string, unknown>): Promise<string> {
    const config = await configFor({ baseUrl: targetUrl, allowedHosts: ['127.0.0.1'] }, { warmup: 0, ...soak });
    return startSoak({ config, dir: join(tmp(), 'state') }).dir;
  }

  it('a redirected /metrics is not followed: the figure is unread (errored), the other host never hit', async () => {
    const dir = await started({ probes: [{ name: 'health', path: '/health' }], process: { memory: 'process_resident_memory_bytes' } });
    const { tick } = await tickSoak(dir, { env: process.env });
    expect(tick!.values.memory).toBeUndefined();
    expect(tick!.errors.memory).toMatch(/302/);
    expect(elsewhereHits).toBe(0);
  });

  it('a probe answered 302 is not ok (only 2xx is)', async () => {
    const dir = await started({ probes: [{ name: 'moved', path: '/moved' }], process: { metricsPath: '' } });
    const { tick } = await tickSoak(dir, { env: process.env });
    expect(tick!.probes[0]).toMatchObject({ name: 'moved', ok: false, status: 302 });
    expect(tick!.values.errorRate).toBe(1);
  });

  it('killed between the journal append and the state write: the next tick takes the next sequence number', async () => {
    const dir = await started({ probes: [{ name: 'health', path: '/health' }], process: { metricsPath: '' } });
    const first = await tickSoak(dir, { env: process.env });
    // As if a second tick landed in the journal and was killed before writing state.json.
    appendTick(dir, { ...first.tick!, seq: 2, at: new Date(Date.parse(first.tick!.at) + 1).toISOString() });
    expect(readState(dir).ticks).toBe(1);
    const next = await tickSoak(dir, { env: process.env });
    expect(next.tick!.seq).toBe(3);
    expect(next.state.ticks).toBe(3);
    const seqs: number[] = [];
    await readTicks(dir, (t) => seqs.push(t.seq));
    expect(seqs).toEqual([1, 2, 3]);
  });

  it('judge counts a sequence number once, however often the journal repeats it', async () => {
    const dir = await started({ probes: [{ name: 'health', path: '/health' }], process: { metricsPath: '' } });
    const base = Date.parse(readState(dir).startedAt);
    const rec = (seq: number): TickRecord => ({ seq, at: new Date(base + seq * 1000).toISOString(), durationMs: 1, probes: [{ name: 'health', ok: false, ms: 1, error: 'HTTP 500' }], values: { errorRate: 1 }, errors: {}, alarms: [] });
    for (const seq of [1, 2, 2, 3]) appendTick(dir, rec(seq)); // a journal written before the fix
    const j = await judgeSoak(dir, { write: false });
    const extra = j.report.extras.soak as { ticks: number; probes: { total: number } };
    expect(extra.ticks).toBe(3);
    expect(extra.probes.total).toBe(3);
    expect(readFileSync(join(dir, 'ticks.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
  });

  // Regression: the soak judge wrote "failed to record" pages but returned as if it had a verdict.
  it('judge with verdict.json blocked: UnrecordedVerdictError, no verdict to act on', async () => {
    const dir = await started({ probes: [{ name: 'health', path: '/health' }], process: { metricsPath: '' } });
    mkdirSync(join(dir, 'verdict.json', 'in-the-way'), { recursive: true });
    await expect(judgeSoak(dir)).rejects.toBeInstanceOf(UnrecordedVerdictError);
  });
});
