import { z } from 'zod';
import { parseDuration } from '../core/schema.ts';

// A load scenario is a TypeScript module shaped like k6 `options`: executors,
// a weighted request mix, thresholds in k6 syntax. The same module exports to
// a k6 script (k6-export.ts), so the two tools run the same traffic.

const durationMs = z.union([z.number().positive(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (e.g. 500ms, 30s, 5m)` });
    return z.NEVER;
  }
  return ms;
});

const headerMap = z.record(z.string(), z.string());

export const requestSpecSchema = z
  .object({
    /** Tag `name` (k6): thresholds filter on it, the report groups by it. */
    name: z.string().min(1).regex(/^[^{},:]+$/, 'a request name may not contain { } , or :'),
    weight: z.number().positive().default(1),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    /** Path (or absolute URL on an allowed host). Templates: {{i}} {{runId}} {{vars.X}} {{setup.X}}. */
    path: z.string().min(1),
    headers: headerMap.default({}),
    /** JSON-serialised when an object; sent as is when a string. Templates apply to strings. */
    body: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    /** Role from the environment's credentials: its token goes into `Authorization: Bearer`. */
    role: z.string().optional(),
    /** `api` (default: apiUrl, else baseUrl) or `base`. */
    target: z.enum(['api', 'base']).default('api'),
  })
  .strict();

export const setupStepSchema = requestSpecSchema
  .omit({ weight: true })
  .extend({
    /** JSON fields of the response to keep for templates: `{ projectId: 'project.id' }`. */
    capture: z.record(z.string(), z.string()).default({}),
  })
  .strict();

const stageSchema = z.object({ target: z.number().nonnegative(), duration: durationMs }).strict();

const common = {
  timeUnit: durationMs.default(1000),
  /** Requests in flight above this are not sent: counted as dropped (k6 maxVUs). */
  maxInFlight: z.number().int().positive().default(100),
  /** Connections to the target (undici Pool). Few connections also make the uncorrected figures closed-loop-like. */
  connections: z.number().int().positive().default(16),
  startTime: durationMs.optional(),
  requests: z.array(requestSpecSchema).min(1),
};

export const executorSchema = z.discriminatedUnion('executor', [
  z.object({ executor: z.literal('constant-arrival-rate'), rate: z.number().positive(), duration: durationMs, ...common }).strict(),
  z
    .object({
      executor: z.literal('ramping-arrival-rate'),
      startRate: z.number().nonnegative().default(0),
      stages: z.array(stageSchema).min(1),
      ...common,
    })
    .strict(),
]);

export const thresholdObjectSchema = z
  .object({
    threshold: z.string().min(1),
    abortOnFail: z.boolean().default(false),
    delayAbortEval: durationMs.optional(),
    /** pdv extensions: how the policy treats a failure of this threshold. */
    severity: z.enum(['critical', 'major', 'minor']).optional(),
    onFail: z.enum(['rollback', 'hold', 'warn']).optional(),
  })
  .strict();

export const scenarioFileSchema = z
  .object({
    name: z.string().min(1).default('load'),
    description: z.string().optional(),
    /**
     * How a role logs in (once per role before the run; tokens are secrets):
     * POST {usernameField, passwordField} to `path`, the token at `tokenField`.
     * Optional: without it, roles sign in through the environment's shared login
     * (`environments.<env>.auth`); no path is assumed.
     */
    login: z
      .object({
        path: z.string().min(1),
        usernameField: z.string().default('username'),
        passwordField: z.string().default('password'),
        tokenField: z.string().default('token'),
      })
      .strict()
      .optional(),
    setup: z.array(setupStepSchema).default([]),
    scenarios: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'scenario names are words'), executorSchema),
    thresholds: z.record(z.string(), z.array(z.union([z.string(), thresholdObjectSchema]))).default({}),
  })
  .strict()
  .refine((s) => Object.keys(s.scenarios).length > 0, 'at least one scenario')
  ;

/** Every role a scenario's setup steps and requests name. */
export function rolesUsed(s: { setup: ReadonlyArray<{ role?: string | undefined }>; scenarios: Record<string, { requests: ReadonlyArray<{ role?: string | undefined }> }> }): string[] {
  const roles = new Set<string>();
  for (const st of s.setup) if (st.role) roles.add(st.role);
  for (const sc of Object.values(s.scenarios)) for (const r of sc.requests) if (r.role) roles.add(r.role);
  return [...roles];
}

export type RequestSpec = z.infer<typeof requestSpecSchema>;
export type SetupStep = z.infer<typeof setupStepSchema>;
export type ExecutorSpec = z.infer<typeof executorSchema>;
export type ScenarioFile = z.infer<typeof scenarioFileSchema>;
export type ScenarioFileInput = z.input<typeof scenarioFileSchema>;
export type ThresholdInput = z.input<typeof thresholdObjectSchema> | string;

/** Identity helper for `perf/scenarios/*.ts`: type checking and completion. */
export function defineScenario(s: ScenarioFileInput): ScenarioFileInput {
  return s;
}

/** Total planned duration of one executor, in ms (start offset included). */
export function executorDurationMs(e: ExecutorSpec): number {
  const body = e.executor === 'constant-arrival-rate' ? e.duration : e.stages.reduce((a, s) => a + s.duration, 0);
  return (e.startTime ?? 0) + body;
}
