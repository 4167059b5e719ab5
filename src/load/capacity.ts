import autocannon from 'autocannon';
import type { PreparedRequest } from './plan.ts';

// Capacity mode: autocannon's closed loop (a connection sends its next
// request only after the previous answer) finds the maximum throughput. Its
// latencies hide stalls (coordinated omission), so they are reported as
// capacity context only — never used for SLA percentiles.

export interface CapacityResult {
  request: string;
  connections: number;
  durationMs: number;
  requestsPerSecond: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Closed-loop latency (ms): context, not an SLA figure. */
  latencyMs: { p50: number; p99: number; max: number };
}

export async function runCapacity(req: PreparedRequest, opts: { connections: number; durationMs: number; signal?: AbortSignal; timeoutMs?: number }): Promise<CapacityResult> {
  const url = req.origin + req.path.split('{{i}}').join('0');
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const inst = autocannon(
      {
        url,
        method: req.method as autocannon.Request['method'],
        headers: req.headers,
        ...(req.body !== undefined ? { body: req.body.split('{{i}}').join('0') } : {}),
        connections: opts.connections,
        duration: Math.max(1, Math.round(opts.durationMs / 1000)),
        timeout: Math.max(1, Math.round((opts.timeoutMs ?? 10_000) / 1000)),
      },
      (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    opts.signal?.addEventListener('abort', () => inst.stop(), { once: true });
  });
  return {
    request: req.name,
    connections: opts.connections,
    durationMs: result.duration * 1000,
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  };
}
