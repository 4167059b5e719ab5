import { z } from 'zod';
import { authSchema, roleSchema } from '../auth/config.ts';
import { responseExpectSchema } from '../http/expect.ts';
import { duration, envVarName, httpUrl, onFail, severity, stageName } from './common.ts';
import { wideGlobProblem } from '../core/verdict.ts';
import { smokeConfigSchema } from '../stages/smoke/config.ts';
import { uatConfigSchema } from '../stages/uat/config.ts';
import { loadConfigSchema } from '../stages/load/config.ts';
import { securityConfigSchema } from '../stages/security/config.ts';
import { drConfigSchema } from '../stages/dr/config.ts';
import { metricsConfigSchema } from '../stages/metrics/config.ts';
import { notifyConfigSchema, publishConfigSchema, rollbackConfigSchema } from '../actions/config.ts';

/** A role pdv acts as (see src/auth/config.ts): username + passwordEnv, or a pre-issued tokenEnv / cookieEnv. */
export const credentialSchema = roleSchema;

/** What the target's health endpoint answers when ready, warming up, or down. */
export const healthSchema = z
  .object({
    /** Path of the health endpoint (default `/` on the base URL). */
    path: z.string().startsWith('/').optional(),
    /** Which URL the path is on: `api` (the API URL, else the base URL) or `web` (the base URL). Default: `api` when a path is given, else `web`. */
    on: z.enum(['api', 'web']).optional(),
    /** Ready: status (default any 2xx) and optional JSON fields / headers / text. Anything else is not ready. */
    ready: responseExpectSchema.prefault({}),
    /** Warming up: answers that are retried until `stages.smoke.readiness.timeout` (default HTTP 502/503/504, or a 5xx/429 with Retry-After). */
    warming: responseExpectSchema.extend({ retryAfter: z.boolean().default(true) }).strict().prefault({ status: [502, 503, 504] }),
    /** Down: answers that fail at once, without waiting (e.g. `{ json: { status: 'down' } }`). */
    down: responseExpectSchema.optional(),
  })
  .strict();

/** Where the running build's version is read. */
export const versionSchema = z
  .object({
    path: z.string().startsWith('/'),
    on: z.enum(['api', 'web']).default('api'),
    /** JSON path of the version in the answer (e.g. `version`, `build.version`). */
    field: z.string().min(1).optional(),
    /** Or a response header carrying it (e.g. `x-app-version`). */
    header: z.string().min(1).optional(),
  })
  .strict()
  .refine((v) => !!v.field !== !!v.header, 'set exactly one of field or header');

/** A person or group: a GitHub login or any name without spaces. */
const personName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'names are letters, digits, . _ @ -');
const signoffName = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'sign-off names are lower-case words');

export const environmentSchema = z
  .object({
    baseUrl: httpUrl,
    apiUrl: httpUrl.optional(),
    expectedVersion: z.string().min(1).optional(),
    /** Role → how pdv signs in as it (secrets by env-var name only). */
    credentials: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'role names are lower-case words'), credentialSchema).default({}),
    /** How roles sign in (one login for every stage): json, form, oauth2-password, oauth2-client-credentials, bearer, cookie, basic. */
    auth: authSchema.optional(),
    health: healthSchema.prefault({}),
    /** PEM file(s) of a private CA the stand's certificates chain to (relative to the config file); trusted beside the system roots. */
    trustedCa: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    version: versionSchema.optional(),
    /** Further env vars whose values are secrets (tokens, webhook URLs) and must be redacted everywhere. */
    secretEnv: z.array(envVarName).default([]),
    /** Hosts load and soak traffic may go to; the base and API URL hosts are not implied. */
    allowedHosts: z.array(z.string().min(1)).default([]),
    /** Free-form values for specs (e.g. a project id); not secret. */
    vars: z.record(z.string(), z.string()).default({}),
    /** What to do on a rollback verdict (docs/actions.md). */
    rollback: rollbackConfigSchema.optional(),
    /** Who may `pdv decide` a run of this environment: names (e.g. GitHub logins) or group names. A workflow guard, not a security boundary (docs/decisions.md). */
    approvers: z.array(personName).min(1).optional(),
    /** Named groups of people, for `approvers` and `signoffs`. */
    groups: z.record(personName, z.array(personName).min(1)).default({}),
    /** Who may record each sign-off (`uat: ['product-team']`); a sign-off not listed falls back to `approvers`. */
    signoffs: z.record(signoffName, z.array(personName).min(1)).default({}),
  })
  .strict();

/** A waiver glob must stay inside one stage unless its entry says `allowWide: true`. */
function refuseWideGlob(field: string) {
  return (entry: Record<string, unknown> & { allowWide?: boolean | undefined }, ctx: z.RefinementCtx): void => {
    const problem = entry.allowWide ? undefined : wideGlobProblem(String(entry[field]));
    if (problem) ctx.addIssue({ code: 'custom', path: [field], message: problem });
  };
}

export const policyOverrideSchema = z
  .object({
    /** A check id, or a glob with `*` (e.g. `security.headers.*`); its first segment must be a stage name. */
    match: z.string().min(1),
    severity: severity.optional(),
    onFail: onFail.optional(),
    dryRun: z.boolean().optional(),
    /** Allow a `match` wider than one stage (e.g. `*`). */
    allowWide: z.boolean().optional(),
  })
  .strict()
  .superRefine(refuseWideGlob('match'));

export const policyConfigSchema = z
  .object({
    /** Number of failed major rollback-checks tolerated before rollback. */
    majorBudget: z.number().int().min(0).default(0),
    /** Treat a check that passed only on retry as failed. */
    flakyAsFailed: z.boolean().default(false),
    overrides: z.array(policyOverrideSchema).default([]),
    /** Sign-offs (`pdv signoff`) without which the verdict holds, e.g. `['uat']`. */
    requireSignoffs: z.array(signoffName).optional(),
  })
  .strict();

function validPattern(p: string): boolean {
  try {
    new RegExp(p);
    return true;
  } catch {
    return false;
  }
}

/** One pre-production checklist item and the one kind of evidence that ticks it. */
export const checklistItemSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'item ids are lower-case words'),
    title: z.string().min(1),
    /** Check ids or globs (`security.*`) that must have passed. */
    checks: z.array(z.string().min(1)).min(1).optional(),
    /** Stages whose every check must have passed. */
    stages: z.array(stageName).min(1).optional(),
    /** A sign-off that must be recorded. */
    signoff: signoffName.optional(),
    /** A change ticket (`--change-ticket` or $PDV_CHANGE_TICKET), optionally matching `pattern`. */
    changeTicket: z.union([z.literal(true), z.object({ pattern: z.string().refine(validPattern, 'must be a regular expression') }).strict()]).optional(),
    /** A file that must exist, relative to the config file (rollback plan, docs). */
    file: z.string().min(1).optional(),
  })
  .strict()
  .refine((i) => [i.checks, i.stages, i.signoff, i.changeTicket, i.file].filter((v) => v !== undefined).length === 1, {
    message: 'name exactly one kind of evidence: checks, stages, signoff, changeTicket or file',
  });

export const quarantineEntrySchema = z
  .object({
    /** A check id or a glob; its first segment must be a stage name. */
    checkId: z.string().min(1),
    owner: z.string().min(1),
    /** ISO date (YYYY-MM-DD or full timestamp); an expired entry is no longer honoured. */
    expires: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date'),
    reason: z.string().optional(),
    /** Allow a `checkId` glob wider than one stage (e.g. `*`). */
    allowWide: z.boolean().optional(),
  })
  .strict()
  .superRefine(refuseWideGlob('checkId'));

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
    /**
     * Stages `pdv verify` runs, in order. Default: smoke and security (they need
     * nothing but the URLs), then each other stage the config sets up (uat with
     * a testDir, load with a scenario, dr with a driver, metrics with rules or
     * alarms). A stage listed here that lacks what it needs is a usage error.
     */
    stageOrder: z.array(stageName).optional(),
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
    /** The pre-production checklist shown in every report; `promotion` is ready when all are ticked (docs/decisions.md). */
    checklist: z
      .array(checklistItemSchema)
      .default([])
      .refine((items) => new Set(items.map((i) => i.id)).size === items.length, 'checklist item ids must be unique'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type PolicyConfig = z.infer<typeof policyConfigSchema>;
export type QuarantineEntry = z.infer<typeof quarantineEntrySchema>;
