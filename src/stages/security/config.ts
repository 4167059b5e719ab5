import { z } from 'zod';
import { duration, httpUrl, onFail, severity, stageBase } from '../../core/schema.ts';
import { responseExpectSchema } from '../../http/expect.ts';

// The security stage's section of the config (`stages.security`).

const GRADES = ['A+', 'A', 'A-', 'B+', 'B', 'B-', 'C+', 'C', 'C-', 'D+', 'D', 'D-', 'F'] as const;

const statusList = z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)]);

const regexSource = z.string().min(1).refine((src) => {
  try {
    new RegExp(src, 'i');
    return true;
  } catch {
    return false;
  }
}, 'must be a regular expression (JavaScript syntax, matched case-insensitively)');

/** One way an app says "too many attempts": every condition given must hold. */
const limitedRule = z
  .object({
    /** Status (or any of several), e.g. 429, or [403, 500] together with `body`. */
    status: statusList.transform((v) => (Array.isArray(v) ? v : [v])).optional(),
    /** Regular expression the body must match (case-insensitive), e.g. "too many attempts". */
    body: regexSource.optional(),
    /** A Retry-After header must be present. */
    retryAfter: z.boolean().optional(),
  })
  .strict()
  .refine((r) => r.status !== undefined || r.body !== undefined || r.retryAfter === true, 'name at least one of status, body, retryAfter');

/** One row of the access-control table: endpoint × role × expected status. */
export const accessRuleSchema = z
  .object({
    /** Stable slug for the check id (`security.access.<name>`); defaults to role-method-path. */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case slug').optional(),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    /** Path on the API URL; `{id:ROLE}` becomes the user id of that role's login (e.g. `/api/users/{id:editor2}/settings`). */
    path: z.string().startsWith('/'),
    /** A credentials role from the environment, or `anonymous`. */
    role: z.string().min(1),
    /**
     * Expected status (or any of several), or the expectations of a declared smoke
     * check (status, json paths, headers, bodyContains/bodyExcludes) — e.g. a GraphQL
     * API that refuses with 200 and `errors`: `{ status: 200, json: { 'errors.0.message': { matches: 'permission denied' } } }`.
     */
    expect: z.union([statusList, responseExpectSchema]),
    body: z.unknown().optional(),
    severity: severity.default('critical'),
  })
  .strict();

/** The access table; roles sign in the way `environments.<env>.auth` says (src/auth/). */
const accessSchema = z
  .object({
    rules: z.array(accessRuleSchema).max(40).default([]),
  })
  .strict();

export const severityOverrideSchema = z.union([
  z.literal('ignore'),
  severity,
  z.object({ severity: severity.optional(), onFail: onFail.optional(), ignore: z.boolean().optional() }).strict(),
]);

export const importEntrySchema = z.union([
  z.string().min(1),
  z
    .object({
      path: z.string().min(1),
      /** What the file claims to be; guessed from the content when left out. */
      format: z.enum(['zap', 'testssl', 'npm-audit', 'sarif']).optional(),
    })
    .strict(),
]);

export const securityConfigSchema = stageBase
  .extend({
    /** HTTPS URL of the same site when the base URL is plain HTTP (e.g. a staging stand on two ports). */
    httpsUrl: httpUrl.optional(),
    /** PEM file(s) of extra trusted CAs (a staging stand's self-signed CA); relative to the config file. */
    trustedCa: z.union([z.string(), z.array(z.string())]).optional(),
    requestTimeout: duration.default(10_000),
    /** Hard cap on requests the stage sends (all checks together). */
    maxRequests: z.number().int().min(10).max(500).default(120),
    headers: z
      .object({
        enabled: z.boolean().default(true),
        /**
         * Lowest acceptable Observatory grade. Unset (the default), the grade and each
         * header test are reported as warnings only: a site's header posture is the
         * site's choice, not something a deploy broke. Set it (B or better for HTTPS;
         * a plain-HTTP stand cannot score above C+) and a lower grade fails (major),
         * as do the failed header tests by their own severity.
         */
        minimumGrade: z.enum(GRADES).optional(),
        /** Path graded on each site. */
        path: z.string().startsWith('/').default('/'),
      })
      .strict()
      .prefault({}),
    tls: z
      .object({
        enabled: z.boolean().default(true),
        /** Certificate expiring within this many days → hold. */
        expiryDays: z.number().int().min(1).max(365).default(14),
      })
      .strict()
      .prefault({}),
    cors: z
      .object({
        enabled: z.boolean().default(true),
        /** Paths probed with an arbitrary Origin (on the API URL when it is set); name your API's credentialed endpoints. */
        paths: z.array(z.string().startsWith('/')).min(1).max(10).default(['/']),
      })
      .strict()
      .prefault({}),
    exposed: z
      .object({
        enabled: z.boolean().default(true),
        /** Probe ids from security/exposed-files.json to run (default: all). */
        only: z.array(z.string()).optional(),
        /** Extra probes: a path and the content that proves exposure. */
        extra: z
          .array(z.object({ id: z.string().regex(/^[a-z0-9-]+$/), path: z.string().startsWith('/'), pattern: z.string().min(1), severity: severity.default('critical') }).strict())
          .default([]),
      })
      .strict()
      .prefault({}),
    /** Debug pages, stack traces and version/debug headers: a path that cannot exist, malformed requests, and every answer of the stage. */
    debugPages: z.object({ enabled: z.boolean().default(true) }).strict().prefault({}),
    /** TRACE/TRACK echo (minor: reported, not a rollback). */
    methods: z.object({ enabled: z.boolean().default(true) }).strict().prefault({}),
    access: accessSchema.prefault({}),
    sessionCookie: z
      .object({
        enabled: z.boolean().default(true),
        /** Cookie name; default: every cookie the login response sets. */
        name: z.string().optional(),
        severity: severity.default('major'),
      })
      .strict()
      .prefault({}),
    openRedirect: z
      .object({
        /** On when `path` is set; `enabled: true` without it is a configuration error. */
        enabled: z.boolean().optional(),
        /** Page (on the web URL) that takes a return-URL parameter, e.g. `/login`. No default: it is the app's. */
        path: z.string().startsWith('/').optional(),
        /** Its return-URL query parameter, e.g. `returnTo`, `next`, `redirect_uri`. Required with `path`. */
        param: z.string().min(1).optional(),
        severity: severity.default('major'),
        /** Also post the login form with a role's credentials and a foreign return URL (the redirect after login is the real test). */
        form: z
          .object({
            /** Where the form posts; default: `openRedirect.path`. */
            path: z.string().startsWith('/').optional(),
            role: z.string().min(1),
            usernameField: z.string().default('username'),
            passwordField: z.string().default('password'),
          })
          .strict()
          .optional(),
      })
      .strict()
      .superRefine((v, ctx) => {
        if (v.enabled === true && !v.path) ctx.addIssue({ code: 'custom', path: ['path'], message: 'is required when openRedirect is enabled (the page that takes a return URL, e.g. "/login")' });
        if (v.path && !v.param) ctx.addIssue({ code: 'custom', path: ['param'], message: `is required with openRedirect.path (the return-URL parameter of ${v.path}, e.g. "returnTo")` });
      })
      .transform((v) => ({ ...v, enabled: v.enabled ?? v.path !== undefined }))
      .prefault({}),
    rateLimit: z
      .object({
        /** On when `path` is set; `enabled: true` without it is a configuration error. */
        enabled: z.boolean().optional(),
        /** Login endpoint on the API URL that the failed logins go to. No default: it is the app's. */
        path: z.string().startsWith('/').optional(),
        method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
        /** How the credentials are sent: a JSON object or an HTML-form body. */
        body: z.enum(['json', 'form']).default('json'),
        usernameField: z.string().min(1).default('username'),
        passwordField: z.string().min(1).default('password'),
        /** Fixed fields sent with every attempt (e.g. `{ grant_type: 'password', client_id: 'web' }`). */
        fields: z.record(z.string(), z.string()).default({}),
        /** Extra request headers (no secrets: the config file holds none). */
        headers: z.record(z.string(), z.string()).default({}),
        /** Failed logins sent at most; the check passes at the first limited answer. */
        attempts: z.number().int().min(2).max(50).default(10),
        /** Username used for the failed logins (an account nobody uses: it may get locked). */
        username: z.string().default('pdv-rate-limit-probe@invalid.test'),
        /**
         * What a limited answer looks like: one rule or several (any may match); every
         * condition a rule names must hold. Default: status 429.
         */
        limited: z.union([limitedRule, z.array(limitedRule).min(1)]).default([{ status: [429] }]).transform((v) => (Array.isArray(v) ? v : [v])),
        severity: severity.default('major'),
        onFail: onFail.optional(),
      })
      .strict()
      .superRefine((v, ctx) => {
        if (v.enabled === true && !v.path) ctx.addIssue({ code: 'custom', path: ['path'], message: 'is required when rateLimit is enabled (the login endpoint the failed logins go to, e.g. "/api/login")' });
      })
      .transform((v) => ({ ...v, enabled: v.enabled ?? v.path !== undefined }))
      .prefault({}),
    /** Scanner reports to import (in addition to `--import`). */
    imports: z.array(importEntrySchema).default([]),
    /** Per-rule severity override for imported findings: `"<format>:<rule id>": "major" | "ignore" | {severity, onFail}`. */
    severityOverrides: z.record(z.string().regex(/^(zap|testssl|npm-audit|sarif):.+$/, 'key is "<format>:<rule id>"'), severityOverrideSchema).default({}),
  })
  .strict();

export type SecurityConfig = z.infer<typeof securityConfigSchema>;
export type AccessRule = z.infer<typeof accessRuleSchema>;
export type SeverityOverride = z.infer<typeof severityOverrideSchema>;
export type ImportEntry = z.infer<typeof importEntrySchema>;
export type LimitedRule = z.infer<typeof limitedRule>;
