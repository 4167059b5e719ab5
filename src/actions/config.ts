import { z } from 'zod';
import { duration, envVarName, httpUrl } from '../core/schema.ts';

// Config for what pdv does after the verdict: rollback (per environment),
// notifications and the verdict metric (top level). Secrets — webhook URLs,
// tokens, HMAC keys — are named by env var, never written in the file.

/** Retry policy shared by every outbound action. Only transient errors are retried. */
const retryFields = {
  /** Further attempts after the first (transient errors only: network, timeout, 408/425/429/5xx). */
  retries: z.number().int().min(0).max(10).default(2),
  /** First backoff; doubled each attempt, with jitter, capped at `maxBackoff`. */
  backoff: duration.default(1_000),
  maxBackoff: duration.default(30_000),
  /** One attempt is abandoned (and counts as transient) after this long. */
  timeout: duration.default(30_000),
};

const templated = z.string().min(1);

export const commandActionSchema = z
  .object({
    type: z.literal('command'),
    name: z.string().min(1).optional(),
    /** argv (run without a shell) or one string (run with `sh -c`). `{deployId}` style placeholders are filled in. */
    command: z.union([z.array(templated).min(1), templated]),
    /** Relative to the config file's folder. */
    cwd: z.string().optional(),
    /** Extra (non-secret) env vars for the command; the process env is inherited. */
    env: z.record(envVarName, z.string()).default({}),
    ...retryFields,
  })
  .strict();

export const webhookActionSchema = z
  .object({
    type: z.literal('webhook'),
    name: z.string().min(1).optional(),
    /** Either a plain URL or (when the URL itself is a secret) the env var holding it. */
    url: httpUrl.optional(),
    urlEnv: envVarName.optional(),
    /** Env var with the HMAC-SHA256 key; the body is signed into `X-Pdv-Signature: sha256=<hex>`. */
    secretEnv: envVarName.optional(),
    /** Extra (non-secret) headers. */
    headers: z.record(z.string(), z.string()).default({}),
    ...retryFields,
  })
  .strict()
  .refine((a) => Boolean(a.url) !== Boolean(a.urlEnv), { message: 'set exactly one of url or urlEnv', path: ['url'] });

export const githubActionSchema = z
  .object({
    type: z.literal('github'),
    name: z.string().min(1).optional(),
    /** owner/name */
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be owner/name'),
    /** Workflow file name (rollback.yml) or numeric id. */
    workflow: z.union([z.string().min(1), z.number().int().positive()]),
    ref: z.string().min(1).default('main'),
    /** Workflow inputs; values may use `{deployId}`, `{previousVersion}`, … placeholders. */
    inputs: z.record(z.string(), z.string()).default({}),
    tokenEnv: envVarName.default('GITHUB_TOKEN'),
    /** GitHub Enterprise Server: https://HOST/api/v3 */
    apiUrl: httpUrl.default('https://api.github.com'),
    ...retryFields,
  })
  .strict();

export const rollbackActionSchema = z.discriminatedUnion('type', [commandActionSchema, webhookActionSchema, githubActionSchema]);

export const postRollbackSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** The version the environment must report after the rollback; else $PDV_PREVIOUS_VERSION, else "anything but the failed version". */
    previousVersion: z.string().min(1).optional(),
    /** Where the version is read (default: the environment's `version`); without either, only the smoke checks run. */
    versionPath: z.string().startsWith('/').optional(),
    /** JSON field of the version at `versionPath` (default: the environment's `version.field`, else `version`). */
    versionField: z.string().min(1).optional(),
    /** Bounded wait for /version to report the previous version. */
    timeout: duration.default(120_000),
    interval: duration.default(2_000),
  })
  .strict();

const rollbackObjectSchema = z
  .object({
    /** Run in order; the first failure stops the rest. */
    actions: z.array(rollbackActionSchema).min(1),
    verify: postRollbackSchema.prefault({}),
  })
  .strict();

/** `rollback: [action…]` is shorthand for `rollback: { actions: [action…] }`. */
export const rollbackConfigSchema = z.union([
  rollbackObjectSchema,
  z.array(rollbackActionSchema).min(1).transform((actions) => rollbackObjectSchema.parse({ actions })),
]);

const verdictName = z.enum(['stand', 'rollback', 'hold']);

export const slackSchema = z
  .object({
    /** Env var holding the Slack incoming-webhook URL (the URL is a secret). */
    webhookEnv: envVarName.default('SLACK_WEBHOOK_URL'),
    /** Verdicts that send a message. */
    on: z.array(verdictName).default(['rollback', 'hold']),
    /** Link to the report; `{runId}`, `{environment}` placeholders. Default: the CI run page, else the local file. */
    reportUrl: z.string().optional(),
    /** How many reasons the message lists. */
    topReasons: z.number().int().min(1).max(20).default(3),
    ...retryFields,
  })
  .strict();

export const notifyConfigSchema = z
  .object({
    slack: slackSchema.optional(),
  })
  .strict();

export const cloudwatchPublishSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** `{environment}` and `{project}` (the config's `project`) are filled in where the metrics are put (actions/publish.ts). */
    namespace: z.string().min(1).default('{environment}/{project}/verification'),
    /** Default: the runbook's AWS_REGION. */
    region: z.string().min(1).optional(),
    /** Extra dimensions on every datum (Environment is always set). */
    dimensions: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const publishConfigSchema = z
  .object({
    cloudwatch: cloudwatchPublishSchema.optional(),
  })
  .strict();

export type CommandAction = z.infer<typeof commandActionSchema>;
export type WebhookAction = z.infer<typeof webhookActionSchema>;
export type GithubAction = z.infer<typeof githubActionSchema>;
export type RollbackAction = z.infer<typeof rollbackActionSchema>;
export type RollbackConfig = z.infer<typeof rollbackConfigSchema>;
export type PostRollbackConfig = z.infer<typeof postRollbackSchema>;
export type SlackConfig = z.infer<typeof slackSchema>;
export type NotifyConfig = z.infer<typeof notifyConfigSchema>;
export type PublishConfig = z.infer<typeof publishConfigSchema>;
export type CloudwatchPublishConfig = z.infer<typeof cloudwatchPublishSchema>;
