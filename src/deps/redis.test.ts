import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutRedis, startRedis, type TestRedis } from '../../e2e/helpers/redis.ts';
import { Redactor } from '../core/redact.ts';
import { dependencyChecks } from './checks.ts';
import { redisDependencySchema, type RedisDependency } from './config.ts';
import { judgeClusterInfo, judgeReplication, parseInfo, probeRedis, redisOptionsFrom } from './redis.ts';
import { freePort } from '../../demo/prometheus/launch.ts';

const dep = (over: Record<string, unknown> = {}): RedisDependency => redisDependencySchema.parse({ type: 'redis', name: 'cache', connectTimeout: 2_000, timeout: 2_000, maxLatency: 1_000, ...over });

describe('redis options from the URL', () => {
  it.each([
    ['redis://127.0.0.1:6380', { host: '127.0.0.1', port: 6380 }, false],
    ['rediss://user:p%40ss@cache.example:6379/2', { host: 'cache.example', port: 6379, username: 'user', password: 'p@ss', db: 2 }, true],
    ['redis://:only-pass@h', { host: 'h', port: 6379, password: 'only-pass' }, false],
  ])('%s', (url, want, tls) => {
    const o = redisOptionsFrom(url, dep());
    expect(o).toMatchObject(want);
    expect(o.tls !== undefined).toBe(tls);
    expect(o.maxRetriesPerRequest).toBe(0);
  });

  it('refuses other schemes', () => {
    expect(() => redisOptionsFrom('http://h:1', dep())).toThrow(/redis:\/\//);
  });
});

describe('judging CLUSTER INFO and INFO replication', () => {
  it.each([
    ['cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_fail:0\r\n', [true, true]],
    ['cluster_state:fail\r\ncluster_slots_assigned:16384\r\n', [false, true]],
    ['cluster_state:ok\r\ncluster_slots_assigned:16000\r\n', [true, false]],
    ['cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_fail:3\r\n', [true, false]],
    ['', [false, false]],
  ])('%j', (text, oks) => {
    expect(judgeClusterInfo(parseInfo(text)).map((a) => a.ok)).toEqual(oks);
  });

  it.each([
    ['# Replication\r\nrole:master\r\nconnected_slaves:2\r\n', { role: 'master', minReplicas: 1 }, [true, true]],
    ['role:master\r\nconnected_slaves:0\r\n', { role: 'master', minReplicas: 1 }, [true, false]],
    ['role:slave\r\nmaster_link_status:down\r\n', { role: 'replica' }, [true, false]],
    ['role:slave\r\nmaster_link_status:up\r\n', { role: 'master' }, [false, true]],
  ] as const)('%j against %j', (text, want, oks) => {
    expect(judgeReplication(parseInfo(text), want).map((a) => a.ok)).toEqual(oks);
  });
});

describe.skipIf(skipWithoutRedis())('redis probe against a real redis-server', () => {
  let plain: TestRedis;
  let authed: TestRedis;
  const password = `redis-canary-${process.pid}-Zq`;
  beforeAll(async () => {
    [plain, authed] = await Promise.all([startRedis(), startRedis({ args: ['--requirepass', password] })]);
  });
  afterAll(async () => {
    await Promise.all([plain?.stop(), authed?.stop()]);
  });

  it('passes: PONG, latency within budget, role master', async () => {
    const out = await probeRedis(dep({ replication: { role: 'master', minReplicas: 0 } }), { url: plain.url });
    expect(out.status, out.message).toBe('passed');
    expect(out.assertions.map((a) => a.name)).toEqual(['PING', 'latency', 'replication role', 'replicas']);
    expect(out.unit).toBe('ms');
  });

  it('fails when the latency budget is exceeded', async () => {
    const out = await probeRedis(dep({ maxLatency: 0 }), { url: plain.url });
    expect(out.status).toBe('failed');
    expect(out.message).toMatch(/^latency: median round trip/);
  });

  it('fails when the node is not the expected role', async () => {
    const out = await probeRedis(dep({ replication: { role: 'replica' } }), { url: plain.url });
    expect(out.status).toBe('failed');
    expect(out.message).toContain('role master, expected replica');
  });

  it('fails cluster mode on a standalone node (CLUSTER INFO refused)', async () => {
    const out = await probeRedis(dep({ cluster: true }), { url: plain.url });
    expect(out.status).toBe('failed');
    expect(out.message).toContain('cluster');
  });

  it('authenticates from the URL; a wrong password fails and never shows', async () => {
    const good = await probeRedis(dep(), { url: `redis://:${password}@127.0.0.1:${authed.port}` });
    expect(good.status, good.message).toBe('passed');
    const none = await probeRedis(dep(), { url: authed.url });
    expect(none.status).toBe('failed');
    expect(none.message).toMatch(/NOAUTH|auth/i);

    const wrong = `wrong-${password}`;
    const redactor = new Redactor();
    const ctx = { settings: { rootDir: '.', runtime: { redisUrl: `redis://default:${wrong}@127.0.0.1:${authed.port}` } }, signal: new AbortController().signal, redactor };
    const [check] = await dependencyChecks(ctx as never, [dep()], 'smoke', 'smoke', {});
    expect(check?.id).toBe('smoke.dependency.cache');
    expect(check?.status).toBe('failed');
    expect(check?.message).toMatch(/WRONGPASS|invalid|auth/i);
    expect(JSON.stringify(check)).not.toContain(wrong);
    expect(JSON.stringify(check)).toContain(`redis://127.0.0.1:${authed.port}`);
  });

  it('fails on connection refused', async () => {
    const out = await probeRedis(dep(), { url: `redis://127.0.0.1:${await freePort()}` });
    expect(out.status).toBe('failed');
    expect(out.message).toMatch(/^connect: .*ECONNREFUSED/);
  });

  it('is errored (the harness, not the target) when the run is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const out = await probeRedis(dep(), { url: plain.url, signal: ac.signal });
    expect(out.status).toBe('errored');
  });
});

describe.skipIf(skipWithoutRedis())('redis probe in cluster mode (a real one-node cluster)', () => {
  let node: TestRedis;
  beforeAll(async () => {
    node = await startRedis({ args: ['--cluster-enabled', 'yes', '--cluster-node-timeout', '1000'] });
  });
  afterAll(async () => node?.stop());

  it('fails while slots are unassigned, passes once all 16384 are and the state is ok', async () => {
    const before = await probeRedis(dep({ cluster: true }), { url: node.url });
    expect(before.status).toBe('failed');
    expect(before.message).toContain('cluster_state:fail');

    const { Redis } = await import('ioredis');
    const admin = new Redis(node.url);
    try {
      await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
      const deadline = Date.now() + 15_000;
      while (!String(await admin.call('CLUSTER', 'INFO')).includes('cluster_state:ok') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      admin.disconnect();
    }
    const after = await probeRedis(dep({ cluster: true }), { url: node.url });
    expect(after.status, after.message).toBe('passed');
    expect(after.assertions.find((a) => a.name === 'cluster slots')?.detail).toContain('16384 of 16384');
  });
});
