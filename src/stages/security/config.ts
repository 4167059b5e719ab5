import { z } from 'zod';
import { duration, httpUrl, onFail, severity, stageBase } from '../../config/common.ts';

// The security stage's section of the config (`stages.security`).

const GRADES = ['A+', 'A', 'A-', 'B+', 'B', 'B-', 'C+', 'C', 'C-', 'D+', 'D', 'D-', 'F'] as const;

const statusList = z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)]);

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
    /** Expected status (or any of several). */
    expect: statusList,
    body: z.unknown().optional(),
    severity: severity.default('critical'),
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
         * Lowest acceptable Observatory grade. C by default: a plain-HTTP staging
         * stand cannot score above C+ (HSTS and the HTTPS redirect cost 40); set B
         * or better for anything served over HTTPS.
         */
        minimumGrade: z.enum(GRADES).default('C'),
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
        /** Paths probed with an arbitrary Origin (on the API URL when it is set). */
        paths: z.array(z.string().startsWith('/')).min(1).max(10).default(['/', '/api/me']),
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
    access: z
      .object({
        /** Login endpoint on the API URL (JSON `{username,password}` → `{token, user:{id}}`). */
        loginPath: z.string().startsWith('/').default('/api/login'),
        usernameField: z.string().default('username'),
        passwordField: z.string().default('password'),
        tokenField: z.string().default('token'),
        userIdField: z.string().default('user.id'),
        rules: z.array(accessRuleSchema).max(40).default([]),
      })
      .strict()
      .prefault({}),
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
        enabled: z.boolean().default(true),
        /** Login page with its return-URL parameter. */
        path: z.string().startsWith('/').default('/login'),
        param: z.string().default('returnTo'),
        severity: severity.default('major'),
        /** Also post the login form with a role's credentials and a foreign return URL (the redirect after login is the real test). */
        form: z
          .object({
            path: z.string().startsWith('/').default('/login'),
            role: z.string().min(1),
            usernameField: z.string().default('username'),
            passwordField: z.string().default('password'),
          })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    rateLimit: z
      .object({
        enabled: z.boolean().default(true),
        /** Failed logins sent at most; the check passes at the first 429. */
        attempts: z.number().int().min(2).max(50).default(10),
        /** Username used for the failed logins (an account nobody uses: it may get locked). */
        username: z.string().default('pdv-rate-limit-probe@invalid.test'),
        severity: severity.default('major'),
        onFail: onFail.optional(),
      })
      .strict()
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
