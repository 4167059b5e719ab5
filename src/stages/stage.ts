import type { z } from 'zod';
import type { RunEvent } from '../core/events.ts';
import type { CheckResult, Target, VerdictReport } from '../core/types.ts';
import type { StageReportParts } from '../reporters/types.ts';
import type { RunScope } from '../target/scope.ts';
import type { RunSettings } from '../target/settings.ts';

// The contract between a stage and the rest of pdv (docs/architecture.md).
// A stage is one folder under src/stages/ exporting one StageDefinition, and
// one line in src/stages/index.ts; a plugin stage is a module named in the
// config's `plugins` that default-exports one. The runner knows stages only
// through this interface: it never names one.

/** Fields every stage's config section has (see `stageBase` in core/schema.ts). */
export interface StageBaseConfig {
  enabled: boolean;
  timeout: number;
  required: boolean;
}

/**
 * What a stage gets to do its work. Stages never print, never exit, never
 * write reports and never decide the verdict: they emit checks (and
 * observations, artifacts, extras) through the context.
 */
export interface StageContext<C = unknown> extends RunScope {
  /** Absolute path of the run folder; artifacts go under `<runDir>/<stage>/`. */
  runDir: string;
  /** This stage's own config section (`stages.<name>`), as its schema parsed it. */
  config: C;
  /** What every stage shares: the environment under test, paths, runtime values. */
  settings: RunSettings;
  target: Target;
  /** Aborted on the stage timeout, the global deadline, fail-fast or SIGINT. */
  signal: AbortSignal;
  /** On-demand selection (`pdv run --grep`), shard and segment. */
  grep?: string;
  shard?: { index: number; total: number };
  /** `--segment i/n`; `startAt` (epoch ms, `--start-at`) is the one instant every segment's schedule starts at. */
  segment?: { index: number; total: number; startAt?: number };
  /** Files passed with `--import` (scanner reports). */
  imports: string[];
  /**
   * Re-verify another copy of the target (a restored app, the rolled-back
   * release) with the same checks a deploy gets first; the checks come back,
   * ids prefixed with `idPrefix`, and are not emitted. Undefined when no
   * planned stage offers re-verification.
   */
  reverify?: (target: Target, idPrefix: string) => Promise<CheckResult[]>;
}

/**
 * What a stage may look at before any request is sent: it validates its
 * config and files (scenarios, thresholds, conditions, scanner imports,
 * allow-lists) and throws a UsageError naming what and where. Nothing has
 * been written and nothing sent when this runs.
 */
export interface PlanContext<C = unknown> {
  config: C;
  settings: RunSettings;
  target: Target;
  secrets: ReadonlyMap<string, string>;
  imports: string[];
  /** Stages this run will run (names), in order. */
  planned: readonly string[];
  grep?: string;
  shard?: { index: number; total: number };
  segment?: { index: number; total: number };
}

export interface MergeShard {
  /** Absolute path of the shard's run folder. */
  dir: string;
  events: RunEvent[];
}

/** After the verdict is recorded: what a stage keeps for the next run (e.g. a baseline). */
export interface AfterVerdictContext<C = unknown> {
  config: C;
  settings: RunSettings;
  report: VerdictReport;
}

/** What a stage adds to the reports: its HTML section, and files rendered from the redacted report (e.g. security.sarif). */
export type StageReport = Omit<StageReportParts, 'stage'>;

/**
 * A value decided from the stage's own section. Written as a method's type so
 * a definition with its own config type still fits the registry's list
 * (method parameters are bivariant; a plain function type's are not).
 */
type OfSection<C, T> = { decide(config: C): T }['decide'];

export interface StageDefinition<C extends StageBaseConfig = StageBaseConfig, I = unknown, N extends string = string> {
  /** Lower-case word; the first segment of every check id the stage emits. */
  name: N;
  /** A short line for `--help` and the report. */
  description: string;
  /** Where the stage is documented (a path in the docs or a URL). */
  docs?: string;
  /** The zod schema of `stages.<name>` (extend `stageBase`); `{}` must parse. */
  configSchema: z.ZodType<C, I>;
  /**
   * Whether the config sets the stage up, for the default plan: nothing
   * app-specific runs unless configured. Stages that need nothing but the
   * target's URLs return true.
   */
  isConfigured(config: C, settings: RunSettings): boolean;
  /** Place in the default order (lower first). */
  order: number;
  /** Whether this stage can run a `--segment i/n` of its work (others refuse the flag at plan time). */
  segments?: boolean;
  /** Whether this stage honours `--shard i/n` / `--grep` (Playwright-backed stages). */
  shards?: boolean;
  /** Whether this stage reads `--import` files (scanner reports, k6 summaries). */
  imports?: boolean;
  /**
   * True when, given these `--import` files, the stage only reads them and
   * sends nothing (`pdv load import-k6`): a run of such stages alone needs no
   * plan-time check that the target's hosts resolve.
   */
  sendsNothing?(imports: readonly string[]): boolean | Promise<boolean>;
  /**
   * Runs by itself: nothing else runs while it runs, and the stages after it
   * in the plan that do not say what they need wait for it (smoke: no traffic
   * follows a deploy that is down; load: its latencies must not carry the
   * harness's own noise). See docs/architecture.md and jobs/schedule.ts.
   */
  alone?: boolean;
  /**
   * The stages (by name) that must have ended before this one starts (config
   * `parallel`). A need that is not planned, or is planned after it, is
   * ignored: the plan order stands. Without it, the stages before it in the
   * plan that run alone. Saying less lets it run ahead (dr, needing only
   * smoke, runs beside uat and security before load); the run still records
   * its events in plan order and reports what one by one would. A function
   * decides from the stage's own section.
   */
  dependsOn?: readonly string[] | OfSection<C, readonly string[]>;
  /** Validate before traffic (throw UsageError); see PlanContext. */
  plan?(ctx: PlanContext<C>): Promise<void>;
  run(ctx: StageContext<C>): Promise<void>;
  /**
   * Rebuild this stage's checks from the raw data of several shards or
   * segments (e.g. add HDR histograms, then evaluate thresholds), for
   * `pdv merge`. Without it, merge takes the shards' check events as they are.
   */
  merge?(shards: MergeShard[], ctx: StageContext<C>): Promise<void>;
  /** Re-verification of another copy of the target (see StageContext.reverify). */
  reverify?(ctx: StageContext<C>, target: Target, idPrefix: string): Promise<CheckResult[]>;
  /** After the verdict is recorded; returns a path it wrote, if any. Never changes the verdict. */
  afterVerdict?(ctx: AfterVerdictContext<C>): Promise<string | undefined>;
  /** The stage's part of the reports (loaded when they are written); stages never write reports themselves. */
  report?(): Promise<StageReport>;
}

/** Type-checks a stage definition and keeps its config type (`defineStage({...})`). */
export function defineStage<const N extends string, C extends StageBaseConfig, I>(stage: StageDefinition<C, I, N>): StageDefinition<C, I, N> {
  return stage;
}
