import type { Config, PolicyConfig, QuarantineEntry } from '../../config/schema.ts';

// The soak reads the metrics stage's section of the config (its sources,
// alarms and `soak` part) through the config's types, never the stage's code.
type MetricsConfig = Config['stages']['metrics'];
type AlarmConfig = MetricsConfig['alarms'][number];
type SoakConfig = MetricsConfig['soak'];
import type { Target } from '../../core/types.ts';

// A soak lives in a folder: plan.json (what to sample, fixed at start),
// state.json (small, rewritten atomically each tick) and ticks.jsonl (one
// fsync'd line per tick). Ticks never read the journal, so their cost does
// not grow with the soak; judge reads it once, streaming.

export const PLAN_FILE = 'plan.json';
export const STATE_FILE = 'state.json';
export const TICKS_FILE = 'ticks.jsonl';
export const LOCK_FILE = 'run.lock';

export interface SoakPlan {
  version: 1;
  id: string;
  target: Target;
  soak: SoakConfig;
  sources: MetricsConfig['sources'];
  alarms: AlarmConfig[];
  policy: PolicyConfig;
  quarantine: QuarantineEntry[];
  /** Base URL of the target's own /metrics for process figures ('' = none). */
  processMetricsUrl: string;
  awsRegion?: string;
  /** environment.allowedHosts at start; every tick's requests stay on it. */
  allowedHosts?: string[];
}

export interface SoakState {
  version: 1;
  id: string;
  createdAt: string;
  /** Set again by the first tick: the duration counts from the first sample. */
  startedAt: string;
  durationMs: number;
  intervalMs: number;
  endsAt: string;
  ticks: number;
  lastTickAt?: string;
  ended?: { at: string; reason: 'duration' | 'critical-alarm'; message: string };
}

export interface ProbeResult {
  name: string;
  ok: boolean;
  status?: number;
  ms: number;
  error?: string;
}

export interface AlarmObservation {
  name: string;
  state: 'ok' | 'alarm' | 'insufficient' | 'pending';
  rawState: string;
  severity: string;
}

/** One line of ticks.jsonl. */
export interface TickRecord {
  seq: number;
  at: string;
  durationMs: number;
  probes: ProbeResult[];
  /** Series values this tick (memory, openConnections, latency, errorRate, query names); absent = not measured. */
  values: Record<string, number>;
  /** Why a series has no value this tick (source errors, empty results). */
  errors: Record<string, string>;
  alarms: AlarmObservation[];
}
