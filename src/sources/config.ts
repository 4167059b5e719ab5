import { z } from 'zod';
import { duration, httpUrl } from '../core/schema.ts';

// Where metrics come from (`stages.metrics.sources.<name>`): read by the metrics
// stage and the soak alike.

export const sourceConfigSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('prometheus'),
      /** Base URL of the Prometheus server; `urlEnv` (default PDV_PROMETHEUS_URL) overrides it when set. */
      url: httpUrl.optional(),
      urlEnv: z.string().default('PDV_PROMETHEUS_URL'),
      timeout: duration.default(10_000),
      /** Scrape health: any series at 0 means a target cannot be scraped (no evidence → hold). Empty string turns it off. */
      upQuery: z.string().default('up'),
    })
    .strict(),
  z
    .object({
      type: z.literal('cloudwatch'),
      /** Default: AWS_REGION from the runbook. */
      region: z.string().optional(),
      /** Default namespace of metrics that name none, e.g. `MyApp/API` (none by default). */
      namespace: z.string().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('scrape'),
      /** The page to read; default `<baseUrl>/metrics`. */
      url: httpUrl.optional(),
      timeout: duration.default(10_000),
    })
    .strict(),
]);

export type SourceConfig = z.infer<typeof sourceConfigSchema>;
