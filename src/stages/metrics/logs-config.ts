import { z } from 'zod';
import { duration, onFail, severity } from '../../core/schema.ts';

// `stages.metrics.logs[]`: one log source each (CloudWatch Logs Insights or
// local files) with the two checks read from it. No log group, file or
// error filter is assumed: the target's config names them.

const slug = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lower-case letters, digits, . _ - (it becomes part of a check id)');

const cloudwatchLogs = z
  .object({
    type: z.literal('cloudwatch-logs'),
    /** Default: AWS_REGION from the runbook. */
    region: z.string().optional(),
    logGroups: z.array(z.string().min(1)).default([]),
    logGroupPrefixes: z.array(z.string().min(1)).default([]),
    /** Insights filter expression for the app's lines (optional), e.g. `service = "api"`. */
    filter: z.string().min(1).optional(),
    /** Insights filter expression for error lines, e.g. `level = "error"` or `@message like /ERROR/`. */
    errorFilter: z.string().min(1),
    queryTimeout: duration.default(60_000),
    pollInterval: duration.default(1_000),
    /** Retries while throttled before the source counts as unreadable. */
    maxThrottleRetries: z.number().int().min(0).max(20).default(6),
  })
  .strict()
  .refine((s) => s.logGroups.length + s.logGroupPrefixes.length > 0, 'name logGroups or logGroupPrefixes');

const fileLogs = z
  .object({
    type: z.literal('file'),
    /** Files relative to the config file (or absolute). */
    paths: z.array(z.string().min(1)).min(1),
    format: z.enum(['json', 'text']).default('json'),
    timeFields: z.array(z.string().min(1)).optional(),
    messageFields: z.array(z.string().min(1)).optional(),
    levelFields: z.array(z.string().min(1)).optional(),
    errorLevels: z.array(z.string().min(1)).optional(),
    errorLevelNumber: z.number().optional(),
    /** A regex on the message that marks error lines (text format default: ERROR|FATAL|CRITICAL|PANIC). */
    errorPattern: z
      .string()
      .refine((p) => {
        try {
          new RegExp(p);
          return true;
        } catch {
          return false;
        }
      }, 'not a valid regular expression')
      .optional(),
  })
  .strict();

export const logCheckConfigSchema = z
  .object({
    name: slug,
    source: z.discriminatedUnion('type', [cloudwatchLogs, fileLogs]),
    /** Length of the window before the deploy and of the one after it. */
    window: duration.default(1_800_000),
    step: duration.default(60_000),
    /** Fewest lines each window must hold; fewer means the source is not reading (errored → hold). */
    minLines: z.number().int().min(0).default(1),
    errorRate: z
      .object({
        enabled: z.boolean().default(true),
        minEffect: z.object({ absolute: z.number().nonnegative().default(0.005), relative: z.number().nonnegative().default(0.25) }).strict().prefault({}),
        confidence: z.number().gt(0).lt(1).default(0.98),
        minSamples: z.number().int().min(2).default(5),
        severity: severity.default('major'),
        onFail: onFail.optional(),
      })
      .strict()
      .prefault({}),
    newSignatures: z
      .object({
        enabled: z.boolean().default(true),
        /** Occurrences after the deploy at which a signature absent before fails. */
        threshold: z.number().int().min(1).default(5),
        /** How many new signatures the report lists. */
        top: z.number().int().min(1).max(100).default(10),
        /** Most error lines read per window. */
        maxMessages: z.number().int().min(1).max(10_000).default(10_000),
        severity: severity.default('major'),
        onFail: onFail.optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type LogCheckConfig = z.infer<typeof logCheckConfigSchema>;
