import type { ResolvedConfig } from '../config/types.ts';
import type { StageEmittable } from './events.ts';
import type { Redactor } from './redact.ts';
import type { CheckResult, Target } from './types.ts';

/**
 * What a stage gets to do its work. Stages never print, never exit and never
 * decide the verdict: they emit checks (and observations, artifacts, extras).
 */
export interface StageContext {
  runId: string;
  /** Absolute path of the run folder; artifacts go under `<runDir>/<stage>/`. */
  runDir: string;
  config: ResolvedConfig;
  target: Target;
  /** Secret values by env-var name (credentials etc.). Never write them anywhere. */
  secrets: ReadonlyMap<string, string>;
  redactor: Redactor;
  /** Aborted on the stage timeout, the global deadline or SIGINT. */
  signal: AbortSignal;
  /** On-demand selection (`pdv run --grep`), shard and segment. */
  grep?: string;
  shard?: { index: number; total: number };
  segment?: { index: number; total: number };
  /** Files passed with `--import` (scanner reports). */
  imports: string[];
  /** Stamp and record an event; checks are redacted on the way in. */
  emit(event: StageEmittable): void;
  /** Shorthand for emit({ type: 'check', check }). */
  check(check: CheckResult): void;
  /** Progress line for the live terminal view. */
  progress(message: string): void;
}

/**
 * What a stage may look at before any request is sent: it validates its
 * config and files (scenarios, thresholds, conditions, scanner imports,
 * allow-lists) and throws a UsageError naming what and where. Nothing has
 * been written and nothing sent when this runs.
 */
export interface PlanContext {
  config: ResolvedConfig;
  target: Target;
  secrets: ReadonlyMap<string, string>;
  imports: string[];
  /** Stages this run will run (names), in order. */
  planned: readonly string[];
  grep?: string;
  shard?: { index: number; total: number };
  segment?: { index: number; total: number };
}

export interface Stage {
  name: string;
  /** A short line for `--help` and the report. */
  description: string;
  /** Optional: validate before traffic (throw UsageError); see PlanContext. */
  plan?(ctx: PlanContext): Promise<void>;
  /** Whether this stage can run a `--segment i/n` of its work (others refuse the flag at plan time). */
  segments?: boolean;
  /** Whether this stage honours `--shard i/n` / `--grep` (Playwright-backed stages). */
  shards?: boolean;
  run(ctx: StageContext): Promise<void>;
  /**
   * Optional: rebuild this stage's checks from the raw data of several shards
   * or segments (e.g. add HDR histograms, then evaluate thresholds), for
   * `pdv merge`. Without it, merge takes the shards' check events as they are.
   */
  merge?(shards: MergeShard[], ctx: StageContext): Promise<void>;
}

export interface MergeShard {
  /** Absolute path of the shard's run folder. */
  dir: string;
  events: import('./events.ts').RunEvent[];
}
