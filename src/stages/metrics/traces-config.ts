import { z } from 'zod';
import { duration, onFail, severity } from '../../core/schema.ts';

// `stages.metrics.traces[]`: X-Ray before/after the deploy. No service name
// is assumed: empty `services` means every service the graph shows.

const slug = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lower-case letters, digits, . _ - (it becomes part of a check id)');
const effect = (absolute: number, relative: number) =>
  z.object({ absolute: z.number().nonnegative().default(absolute), relative: z.number().nonnegative().default(relative) }).strict().prefault({});

export const traceCheckConfigSchema = z
  .object({
    name: slug,
    source: z.object({ type: z.literal('xray'), region: z.string().optional() }).strict(),
    /** Service names to judge (default: every service in the graph before the deploy with at least minRequests). */
    services: z.array(z.string().min(1)).default([]),
    window: duration.default(1_800_000),
    /** Period of the response-time series (X-Ray accepts multiples of 60 s). */
    period: duration.default(60_000),
    /** Fewest requests a service needs before the deploy to be judged; the whole graph fewer → no evidence (hold). */
    minRequests: z.number().int().min(1).default(20),
    rates: z
      .object({
        enabled: z.boolean().default(true),
        confidence: z.number().gt(0).lt(1).default(0.98),
        /** A significant rise smaller than both floors is not a failure. */
        minEffect: effect(0.01, 0.5),
        severity: severity.default('major'),
        onFail: onFail.optional(),
      })
      .strict()
      .prefault({}),
    latency: z
      .object({
        enabled: z.boolean().default(true),
        percentile: z.number().gt(0).lt(100).default(95),
        confidence: z.number().gt(0).lt(1).default(0.98),
        /** Seconds and fraction of the median before. */
        minEffect: effect(0.05, 0.2),
        minSamples: z.number().int().min(2).default(5),
        severity: severity.default('major'),
        onFail: onFail.optional(),
      })
      .strict()
      .prefault({}),
    /** A service seen before the deploy and gone after it. */
    disappeared: z.object({ severity: severity.default('major'), onFail: onFail.optional() }).strict().prefault({}),
  })
  .strict()
  .refine((t) => t.period % 60_000 === 0, { message: 'period must be a multiple of 60s', path: ['period'] });

export type TraceCheckConfig = z.infer<typeof traceCheckConfigSchema>;
