import { z } from 'zod';
import { rollbackConfigSchema } from '../actions/config.ts';
import { authSchema, roleSchema } from '../auth/config.ts';
import { responseExpectSchema } from '../http/expect.ts';
import { envVarName, httpUrl } from '../core/schema.ts';

// The target model (docs/target.md): one environment's URLs, health and
// version endpoints, roles and how they sign in, hosts traffic may go to.
// Every stage sees this, beside its own config section.

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
export const personName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'names are letters, digits, . _ @ -');
export const signoffName = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'sign-off names are lower-case words');

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

export type EnvironmentConfig = z.infer<typeof environmentSchema>;
