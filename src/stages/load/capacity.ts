import { errorMessage } from '../../core/errors.ts';
import type { CheckResult } from '../../core/types.ts';
import { runCapacity, type CapacityResult } from '../../load/capacity.ts';
import type { EnginePlan } from '../../load/plan.ts';
import type { LoadConfig } from './config.ts';

// Capacity is context for people (how far is the SLA rate from the maximum?),
// reported on its own check; its closed-loop latencies never feed thresholds.

export async function capacityCheck(plan: EnginePlan, cfg: LoadConfig, signal: AbortSignal): Promise<{ check: CheckResult; result?: CapacityResult }> {
  const all = plan.scenarios.flatMap((s) => s.requests);
  const req = cfg.capacity.request ? all.find((r) => r.name === cfg.capacity.request) : (all.find((r) => r.method === 'GET') ?? all[0]);
  const base: CheckResult = {
    id: 'load.capacity',
    stage: 'load',
    title: 'Capacity (closed loop, autocannon)',
    severity: 'minor',
    onFail: 'warn',
    status: 'skipped',
    durationMs: 0,
    attempts: 1,
    evidence: [],
    unit: 'req/s',
    tags: ['capacity'],
  };
  if (!req) return { check: { ...base, message: `no request named "${cfg.capacity.request}" in the scenario` } };
  const started = Date.now();
  try {
    const result = await runCapacity(req, { connections: cfg.capacity.connections, durationMs: Math.min(cfg.capacity.duration, cfg.caps.maxDuration), signal, timeoutMs: cfg.requestTimeout });
    const min = cfg.capacity.minRps;
    const failed = min !== undefined && result.requestsPerSecond < min;
    return {
      result,
      check: {
        ...base,
        status: failed ? 'failed' : 'passed',
        durationMs: Date.now() - started,
        message: `${result.requestsPerSecond.toFixed(0)} req/s on "${req.name}" with ${result.connections} connections${min !== undefined ? ` (floor ${min})` : ''}; closed-loop latency is context, not SLA`,
        observed: Math.round(result.requestsPerSecond),
        limit: min ?? null,
        evidence: [{ kind: 'json', label: 'autocannon result', data: result }],
      },
    };
  } catch (err) {
    return { check: { ...base, status: 'errored', durationMs: Date.now() - started, message: `capacity run failed: ${errorMessage(err)}` } };
  }
}
