import { z } from 'zod';
import { duration, stageBase } from '../../core/schema.ts';

// The uat stage's section of the config (`stages.uat`).
export const uatConfigSchema = stageBase
  .extend({
    timeout: duration.default(600_000),
    /** Your Playwright UAT specs (a folder, relative to the config file): `*.spec.ts`, with `*.setup.ts` run first. */
    testDir: z.string().min(1).optional(),
    /**
     * Sign in as every role (environments.<env>.auth) before the specs run and
     * hand each session to them as `<stateDir>/<role>.json` (storageState) and
     * `<role>.headers.json`; see tests/support/target.ts `statePath`.
     */
    signIn: z.boolean().default(true),
    /** Attempts after a failure; a pass on retry is reported `flaky`. */
    retries: z.number().int().min(0).max(5).default(1),
    /** Parallel browser workers (Playwright `--workers`). */
    workers: z.number().int().min(1).max(16).default(2),
    /** Default selection when the run gives no `--grep` (a regex over titles and tags). */
    grep: z.string().min(1).optional(),
    /** Per-test timeout. */
    testTimeout: duration.default(60_000),
    /** Playwright trace policy; traces are redacted before they reach the run folder. */
    trace: z.enum(['on', 'off', 'on-first-retry', 'retain-on-failure', 'on-all-retries']).default('on-first-retry'),
    screenshot: z.enum(['on', 'off', 'only-on-failure']).default('only-on-failure'),
    /** Write `allure-results/` into the run folder. */
    allure: z.boolean().default(true),
  })
  .strict();

export type UatConfig = z.infer<typeof uatConfigSchema>;
