import { z } from 'zod';
import { duration, onFail, severity, stageBase } from '../../core/schema.ts';
import { dependencySchema } from '../../deps/config.ts';
import { responseExpectSchema } from '../../http/expect.ts';

/** One declarative HTTP probe (`stages.smoke.checks[]`): a request and what its answer must be. */
export const smokeCheckSchema = z
  .object({
    /** Slug for the check id `smoke.<id>`. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lower-case slug (letters, digits, -)'),
    title: z.string().min(1).optional(),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    /** Path on the API URL (`on: 'api'`, the default; the base URL when there is none) or the base URL (`on: 'web'`). */
    path: z.string().startsWith('/'),
    on: z.enum(['api', 'web']).default('api'),
    /** Send the request as this role (from the environment's credentials); default anonymous. */
    role: z.string().min(1).optional(),
    headers: z.record(z.string().min(1), z.string()).default({}),
    /** JSON body (sent with content-type application/json). */
    body: z.unknown().optional(),
    /** Form body (application/x-www-form-urlencoded). */
    form: z.record(z.string(), z.string()).optional(),
    /** What the answer must be; status defaults to any 2xx. */
    expect: responseExpectSchema.extend({ maxLatency: duration.optional() }).strict().prefault({}),
    /** Follow redirects on the same origin (default: the first answer is judged). */
    followRedirects: z.boolean().default(false),
    severity: severity.default('major'),
    onFail: onFail.optional(),
    /** Attempts after a failure (a pass on retry is reported flaky). */
    retries: z.number().int().min(0).max(5).default(0),
    retryDelay: duration.default(1000),
    timeout: duration.default(10_000),
    tags: z.array(z.string().regex(/^@[\w-]+$/)).default([]),
  })
  .strict()
  .refine((c) => c.body === undefined || c.form === undefined, 'set body or form, not both');

export const smokeConfigSchema = stageBase
  .extend({
    timeout: duration.default(120_000),
    /** Bounded wait for a deploy that is still warming up (what "warming" means: `environments.<env>.health`). */
    readiness: z
      .object({
        timeout: duration.default(30_000),
        interval: duration.default(500),
        /** Connection refused is retried only this long: a target that never listens is down. */
        refusedGrace: duration.default(2_000),
        /** One poll's own bound. */
        attemptTimeout: duration.default(5_000),
      })
      .strict()
      .prefault({}),
    /** Declarative HTTP checks: the default smoke for any target. */
    checks: z.array(smokeCheckSchema).max(100).default([]),
    /** Direct probes of the database and cache (a check `smoke.dependency.<name>` each), after the readiness wait. */
    dependencies: z.array(dependencySchema).max(20).default([]),
    /** Sign in as every configured role (a check `smoke.login.<role>` each). */
    login: z
      .object({
        enabled: z.boolean().default(true),
        severity: severity.default('critical'),
      })
      .strict()
      .prefault({}),
    /** Your Playwright smoke specs (a folder, relative to the config file); none by default. */
    testDir: z.string().min(1).optional(),
    /** File holding the production flag set the environment must mirror (read by specs that compare flags). */
    flagsMirror: z.string().optional(),
    /** Playwright retries for the specs. */
    retries: z.number().int().min(0).max(5).default(0),
  })
  .strict();

export type SmokeConfig = z.infer<typeof smokeConfigSchema>;
export type SmokeCheckConfig = z.infer<typeof smokeCheckSchema>;
