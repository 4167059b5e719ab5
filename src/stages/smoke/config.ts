import { z } from 'zod';
import { duration, stageBase } from '../../config/common.ts';

export const smokeConfigSchema = stageBase.extend({
  timeout: duration.default(120_000),
  /** Bounded wait for a deploy that is still warming up (health says "starting"). */
  readiness: z
    .object({
      timeout: duration.default(30_000),
      interval: duration.default(500),
      /** Connection refused is retried only this long: a target that never listens is down. */
      refusedGrace: duration.default(2_000),
      path: z.string().default('/health'),
    })
    .strict()
    .default({ timeout: 30_000, interval: 500, refusedGrace: 2_000, path: '/health' }),
  /** Playwright test directory with the smoke specs. */
  testDir: z.string().default('tests/smoke'),
  /** File holding the production flag set the environment must mirror. */
  flagsMirror: z.string().optional(),
  retries: z.number().int().min(0).max(5).default(0),
}).strict();

export type SmokeConfig = z.infer<typeof smokeConfigSchema>;
