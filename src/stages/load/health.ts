import { lateAgainst, type GeneratorVerdict } from '../../load/generator.ts';
import { summarize } from '../../load/histogram.ts';
import type { Recorder } from '../../load/recorder.ts';
import { METRICS, type ParsedThreshold } from '../../load/thresholds.ts';

// The generator's health beside the target's latencies, and the rule tied to
// what is judged: a latency bound is judged only when the generator's own
// lateness is small against it (src/load/generator.ts says why).

export interface GeneratorHealth {
  /** False for imported results (k6 measures from its own write; pdv saw no generator). */
  measured: boolean;
  sendLag: { p50: number; p99: number; max: number };
  eventLoopDelay: { p50: number; p99: number; max: number };
  /** Event-loop utilisation of the engine threads over the run: average and the busiest thread (0..1). */
  busy: number;
  maxBusy: number;
  /** max(send-lag p99, event-loop delay p99), ms. */
  latenessMs: number;
  /** max(send-lag p95, event-loop delay p95), ms: what can shift the per-window p95 a baseline compares. */
  latenessP95Ms?: number;
  share: number;
  /** The tightest latency bound the run judges (ms), if any. */
  tightestBoundMs?: number;
}

export function isLatency(t: Pick<ParsedThreshold, 'metric'>): boolean {
  return METRICS[t.metric].type === 'trend';
}

export function generatorHealth(rec: Recorder, thresholds: ParsedThreshold[], share: number, measured = true): GeneratorHealth {
  const lag = summarize(rec.sendLag);
  const loop = summarize(rec.loopDelay);
  const bounds = thresholds.filter(isLatency).map((t) => t.limit);
  return {
    measured,
    sendLag: { p50: lag.p50, p99: lag.p99, max: lag.max },
    eventLoopDelay: { p50: loop.p50, p99: loop.p99, max: loop.max },
    busy: rec.wallUs > 0 ? round3(rec.busyUs / rec.wallUs) : 0,
    maxBusy: round3(rec.maxBusy),
    latenessMs: Math.max(lag.p99, loop.p99),
    latenessP95Ms: Math.max(lag.p95, loop.p95),
    share,
    ...(bounds.length ? { tightestBoundMs: Math.min(...bounds) } : {}),
  };
}

/** Why this latency bound (ms) cannot be judged on this run's generator, or undefined. */
export function generatorFault(g: GeneratorHealth | undefined, boundMs: number): string | undefined {
  if (!g?.measured) return undefined;
  const v: GeneratorVerdict = { latenessMs: g.latenessMs, share: g.share };
  return lateAgainst(v, boundMs);
}

/**
 * A baseline comparison flags a shift of the per-window p95 larger than its floor. A generator late
 * by L at p95 can shift those windows by at most L, so the comparison stands when L is at most half
 * the floor (the generator cannot account for most of a flagged shift). The thresholds' tenth of an
 * absolute bound would make a 10 ms floor unjudgeable on any machine with 1 ms of timer noise.
 */
export const BASELINE_SHARE = 0.5;

export function generatorFaultForBaseline(g: GeneratorHealth | undefined, floorMs: number): string | undefined {
  if (!g?.measured) return undefined;
  const reason = lateAgainst({ latenessMs: g.latenessP95Ms ?? g.latenessMs, share: BASELINE_SHARE }, floorMs);
  return reason?.replace('the generator was late by', 'the generator was late (p95) by');
}

/** One line for messages and the report: the generator's own figures. */
export function describeGenerator(g: GeneratorHealth): string {
  return `send lag p99 ${g.sendLag.p99} ms, event-loop delay p99 ${g.eventLoopDelay.p99} ms (max ${g.eventLoopDelay.max} ms), busy ${Math.round(g.busy * 100)} % (busiest thread ${Math.round(g.maxBusy * 100)} %)`;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
