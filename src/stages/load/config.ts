import { z } from 'zod';
import { duration, onFail, severity, stageBase } from '../../core/schema.ts';

// The load stage's section of the config (`stages.load`). The scenario is the
// target's own: there is no bundled default (a load stage without one is refused at plan time).
export const loadConfigSchema = stageBase
  .extend({
    /** Scenario module (relative to the config file). Required when the load stage runs. */
    scenario: z.string().min(1).optional(),
    /** Override the duration of constant-arrival-rate scenarios (e.g. "3s" for a quick check). */
    duration: duration.optional(),
    /** Engine threads: a number, or 'auto' (one per ~20 000 req/s, up to cores − 1 and never more than connections). */
    workers: z.union([z.literal('auto'), z.number().int().min(1).max(64)]).default('auto'),
    requestTimeout: duration.default(10_000),
    /** Width of the latency-over-time windows (chart, baselines). */
    window: duration.default(1000),
    /** The run is invalid (errored → hold) when the engine's p99 send lag exceeds this. */
    maxSendLag: duration.default(250),
    /**
     * A latency threshold or baseline floor is judged only when the generator's lateness
     * (send-lag p99, event-loop delay p99) is at most this share of its bound; otherwise errored.
     */
    generatorShare: z.number().gt(0).max(1).default(0.1),
    /** `pdv merge`: segments whose schedules started further apart than this are not one run. */
    maxStartSkew: duration.default(1000),
    /** Severity of threshold checks unless a threshold sets its own. */
    severity: severity.default('major'),
    onFail: onFail.optional(),
    /**
     * Safety caps: a plan over any of them is refused before anything is sent. The defaults are
     * the cap; an explicit `maxRate` lifts the rate cap (up to 1 000 000 req/s, a typo guard).
     */
    caps: z
      .object({
        maxRate: z.number().positive().max(1_000_000).default(1000),
        maxDuration: duration.default(600_000),
        maxConnections: z.number().int().positive().default(256),
      })
      .strict()
      .prefault({}),
    abort: z
      .object({
        /** Stop the load when this share of requests fails over the window. */
        errorRate: z.number().gt(0).max(1).default(0.5),
        window: duration.default(5000),
        minRequests: z.number().int().min(1).default(20),
      })
      .strict()
      .prefault({}),
    capacity: z
      .object({
        enabled: z.boolean().default(false),
        /** Request name from the scenario; default the first GET. */
        request: z.string().optional(),
        connections: z.number().int().positive().default(10),
        duration: duration.default(5000),
        /** Optional floor: capacity below this many req/s fails the check. */
        minRps: z.number().positive().optional(),
      })
      .strict()
      .prefault({}),
    baseline: z
      .object({
        enabled: z.boolean().default(true),
        /** Significance level of the Mann–Whitney U test. */
        alpha: z.number().gt(0).lt(1).default(0.01),
        /** Effect-size floor: the Hodges–Lehmann shift must exceed both to count. */
        minShift: duration.default(10),
        minShiftRatio: z.number().min(0).default(0.25),
        /** Fewer windows than this on either side → skipped. */
        minWindows: z.number().int().min(3).default(5),
        severity: severity.default('major'),
        onFail: onFail.default('hold'),
        /** History entries kept per environment. */
        keep: z.number().int().min(1).default(50),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type LoadConfig = z.infer<typeof loadConfigSchema>;
