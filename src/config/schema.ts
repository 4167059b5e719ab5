import { z } from 'zod';
import { duration, envVarName, httpUrl, onFail, severity, stageName } from './common.ts';
import { smokeConfigSchema } from '../stages/smoke/config.ts';
import { uatConfigSchema } from '../stages/uat/config.ts';
import { loadConfigSchema } from '../stages/load/config.ts';
import { securityConfigSchema } from '../stages/security/config.ts';
import { drConfigSchema } from '../stages/dr/config.ts';
import { metricsConfigSchema } from '../stages/metrics/config.ts';
import { notifyConfigSchema, publishConfigSchema, rollbackConfigSchema } from '../actions/config.ts';

export const credentialSchema = z
  .object({
    username: z.string().min(1),
    /** Name of the env var holding the password — never the password itself. */
    passwordEnv: envVarName,
  })
  .strict();

export const environmentSchema = z
  .object({
    baseUrl: httpUrl,
    apiUrl: httpUrl.optional(),
    expectedVersion: z.string().min(1).optional(),
    /** Role → credential (by env-var name). */
    credentials: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'role names are lower-case words'), credentialSchema).default({}),
    /** Further env vars whose values are secrets (tokens, webhook URLs) and must be redacted everywhere. */
    secretEnv: z.array(envVarName).default([]),
    /** Hosts load and soak traffic may go to; the base and API URL hosts are not implied. */
    allowedHosts: z.array(z.string().min(1)).default([]),
    /** Free-form values for specs (e.g. a project id); not secret. */
    vars: z.record(z.string(), z.string()).default({}),
    /** What to do on a rollback verdict (docs/actions.md). */
    rollback: rollbackConfigSchema.optional(),
  })
  .strict();

export const policyOverrideSchema = z
  .object({
    /** A check id, or a glob with `*` (e.g. `security.headers.*`). */
    match: z.string().min(1),
    severity: severity.optional(),
    onFail: onFail.optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();

export const policyConfigSchema = z
  .object({
    /** Number of failed major rollback-checks tolerated before rollback. */
    majorBudget: z.number().int().min(0).default(0),
    /** Treat a check that passed only on retry as failed. */
    flakyAsFailed: z.boolean().default(false),
    overrides: z.array(policyOverrideSchema).default([]),
  })
  .strict();

export const quarantineEntrySchema = z
  .object({
    checkId: z.string().min(1),
    owner: z.string().min(1),
    /** ISO date (YYYY-MM-DD or full timestamp); an expired entry is no longer honoured. */
    expires: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date'),
    reason: z.string().optional(),
  })
  .strict();

export const stagesSchema = z
  .object({
    smoke: smokeConfigSchema.prefault({}),
    uat: uatConfigSchema.prefault({}),
    load: loadConfigSchema.prefault({}),
    security: securityConfigSchema.prefault({}),
    dr: drConfigSchema.prefault({}),
    metrics: metricsConfigSchema.prefault({}),
  })
  .strict();

export const configSchema = z
  .object({
    project: z.string().min(1).default('app'),
    environments: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'environment names are lower-case words'), environmentSchema),
    /** Stages `pdv verify` runs, in order. */
    stageOrder: z.array(stageName).default(['smoke', 'uat', 'security', 'load', 'dr', 'metrics']),
    stages: stagesSchema.prefault({}),
    policy: policyConfigSchema.prefault({}),
    quarantine: z.array(quarantineEntrySchema).default([]),
    /** Global deadline for one run; what was gathered by then is kept and the verdict is hold. */
    deadline: duration.default(1_800_000),
    /** A second `pdv verify` of the same environment waits this long for the first, then holds. */
    lockTimeout: duration.default(600_000),
    /** A failed critical smoke check skips the later stages. */
    failFast: z.boolean().default(true),
    /** Where run folders go (`<reportsDir>/<run-id>/`). */
    reportsDir: z.string().default('reports'),
    notify: notifyConfigSchema.prefault({}),
    publish: publishConfigSchema.prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type PolicyConfig = z.infer<typeof policyConfigSchema>;
export type QuarantineEntry = z.infer<typeof quarantineEntrySchema>;
