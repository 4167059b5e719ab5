import { Redis, type RedisOptions } from 'ioredis';
import { errorMessage } from '../core/errors.ts';
import { AbortedError, bounded } from './bound.ts';
import type { RedisDependency } from './config.ts';
import { harnessFault, outcomeOf, type Assertion, type ProbeOutcome } from './types.ts';

// Redis / ElastiCache, directly: PING round trips within a latency budget,
// cluster health (every slot assigned, state ok) in cluster mode, and the
// node's replication role where the config knows the topology.

export const CLUSTER_SLOTS = 16384;

/** Client options from a redis:// or rediss:// URL: TLS for rediss, AUTH from user and password, db from the path. No retries: one probe is one answer. */
export function redisOptionsFrom(url: string, dep: Pick<RedisDependency, 'connectTimeout' | 'timeout'>): RedisOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`not a redis:// or rediss:// URL (${u.protocol})`);
  const db = u.pathname.replace(/^\//, '');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db && /^\d+$/.test(db) ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
    lazyConnect: true,
    connectTimeout: dep.connectTimeout,
    commandTimeout: dep.timeout,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    connectionName: 'pdv-smoke',
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** `key:value` lines of an INFO or CLUSTER INFO answer. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/** Cluster health from CLUSTER INFO (pure). */
export function judgeClusterInfo(info: Record<string, string>): Assertion[] {
  const assigned = Number(info.cluster_slots_assigned ?? Number.NaN);
  const failing = Number(info.cluster_slots_fail ?? 0);
  return [
    { name: 'cluster_state', ok: info.cluster_state === 'ok', detail: `cluster_state:${info.cluster_state ?? '(missing)'}` },
    {
      name: 'cluster slots',
      ok: assigned === CLUSTER_SLOTS && failing === 0,
      detail: `${Number.isFinite(assigned) ? assigned : '(unknown)'} of ${CLUSTER_SLOTS} slots assigned, ${failing} failing`,
    },
  ];
}

/** Replication facts from INFO replication against what the config expects (pure). */
export function judgeReplication(info: Record<string, string>, want: NonNullable<RedisDependency['replication']>): Assertion[] {
  const out: Assertion[] = [];
  const role = info.role === 'slave' ? 'replica' : info.role;
  if (want.role) out.push({ name: 'replication role', ok: role === want.role, detail: `role ${role ?? '(unknown)'}, expected ${want.role}` });
  if (want.minReplicas !== undefined) {
    const n = Number(info.connected_slaves ?? 0);
    out.push({ name: 'replicas', ok: n >= want.minReplicas, detail: `${n} connected replica(s), need at least ${want.minReplicas}` });
  }
  if (role === 'replica' && info.master_link_status !== undefined) {
    out.push({ name: 'master link', ok: info.master_link_status === 'up', detail: `master_link_status:${info.master_link_status}` });
  }
  return out;
}

export interface RedisProbeOptions {
  url: string;
  signal?: AbortSignal;
}

export async function probeRedis(dep: RedisDependency, opts: RedisProbeOptions): Promise<ProbeOutcome> {
  const assertions: Assertion[] = [];
  let options: RedisOptions;
  try {
    options = redisOptionsFrom(opts.url, dep);
  } catch (err) {
    assertions.push({ name: 'url', ok: false, detail: errorMessage(err) });
    return outcomeOf(assertions, '');
  }
  const client = new Redis(options);
  // The socket's own error (ECONNREFUSED, WRONGPASS…) arrives here; the pending command only says "Connection is closed".
  let lastError: Error | undefined;
  client.on('error', (err: Error) => (lastError = err));
  const why = (err: unknown): string => (lastError && err instanceof Error && /Connection is closed/.test(err.message) ? errorMessage(lastError) : errorMessage(err));
  const close = (): void => client.disconnect();
  const step = <T>(work: Promise<T>, what: string, ms = dep.timeout): Promise<T> => bounded(work, ms + 500, what, opts.signal, close);
  try {
    const started = Date.now();
    try {
      await step(client.connect(), 'connect', dep.connectTimeout);
      // AUTH is sent on connect; a wrong password shows on the first command.
      const pong = await step(client.ping(), 'PING');
      assertions.push({ name: 'PING', ok: pong === 'PONG', detail: `answered ${pong} (${Date.now() - started} ms including connect${options.tls ? ' and TLS' : ''})` });
    } catch (err) {
      if (err instanceof AbortedError) return harnessFault(err.message);
      assertions.push({ name: 'connect', ok: false, detail: why(err) });
      return outcomeOf(assertions, '');
    }

    const rtts: number[] = [];
    for (let i = 0; i < dep.pings; i++) {
      const t0 = performance.now();
      await step(client.ping(), 'PING');
      rtts.push(performance.now() - t0);
    }
    const rtt = Math.round(median(rtts) * 100) / 100;
    assertions.push({ name: 'latency', ok: rtt <= dep.maxLatency, detail: `median round trip ${rtt} ms over ${dep.pings} PING(s), budget ${dep.maxLatency} ms` });

    if (dep.cluster) {
      let info: Record<string, string> | undefined;
      try {
        info = parseInfo(String(await step(client.call('CLUSTER', 'INFO'), 'CLUSTER INFO')));
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        assertions.push({ name: 'cluster_state', ok: false, detail: `CLUSTER INFO refused: ${errorMessage(err)} (is cluster mode enabled?)` });
      }
      if (info) assertions.push(...judgeClusterInfo(info));
    }
    if (dep.replication) assertions.push(...judgeReplication(parseInfo(await step(client.info('replication'), 'INFO replication')), dep.replication));

    return outcomeOf(assertions, `PONG, median round trip ${rtt} ms${dep.cluster ? `, cluster ok (${CLUSTER_SLOTS} slots)` : ''}`, { observed: rtt, limit: dep.maxLatency, unit: 'ms' });
  } catch (err) {
    if (err instanceof AbortedError) return harnessFault(err.message, assertions);
    assertions.push({ name: 'command', ok: false, detail: why(err) });
    return outcomeOf(assertions, '');
  } finally {
    close();
  }
}
