import { z } from 'zod';
import { duration, envVarName } from '../core/schema.ts';

// How pdv signs in as each role of the target. One module serves every stage
// (smoke, UAT sessions, security access table, load, DR probe, post-rollback):
// the environment describes its login once. Secrets are named by env var only.

const status = z.number().int().min(100).max(599);
const fixedFields = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({});
/** A path on the API URL (`/api/login`), or an absolute URL; `{username}` is replaced (URL-encoded). */
const loginUrl = z.string().refine((s) => s.startsWith('/') || /^https?:\/\//.test(s), 'must be a path starting with / or an absolute http(s) URL');
/** Dotted JSON path into the answer, e.g. `token`, `data.accessToken`, `user.id`. */
const jsonPath = z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a dotted JSON path such as data.token');

const common = {
  /** Statuses that mean "signed in" (default: any 2xx). */
  expect: z.array(status).min(1).optional(),
  timeout: duration.default(10_000),
};

/** The token is sent as `<header>: <scheme> <token>` (default `Authorization: Bearer …`). */
const tokenUse = {
  header: z.string().min(1).default('authorization'),
  scheme: z.string().default('Bearer'),
};

/** What a username/password login request (JSON or form) carries and where its answer keeps the session. */
const passwordLogin = {
  url: loginUrl,
  usernameField: z.string().min(1).default('username'),
  passwordField: z.string().min(1).default('password'),
  /** Fixed extra body fields (e.g. `{ remember: true }`). */
  fields: fixedFields,
  /** Where the token is in the JSON answer; without it the session is the cookies the login sets. */
  tokenPath: jsonPath.optional(),
  /** Where the signed-in user's id is (used by `{id:ROLE}` in access rules). */
  userIdPath: jsonPath.optional(),
  /** Also send the username and password as HTTP basic auth (npm-style `PUT /-/user/org.couchdb.user:{username}`). */
  basic: z.boolean().default(false),
  ...tokenUse,
  ...common,
};

export const jsonLoginSchema = z
  .object({ type: z.literal('json'), method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'), ...passwordLogin })
  .strict();

export const formLoginSchema = z.object({ type: z.literal('form'), ...passwordLogin }).strict();

const oauthCommon = {
  tokenUrl: loginUrl,
  /** Public client id (not a secret), or `clientIdEnv` for one held in the environment. */
  clientId: z.string().min(1).optional(),
  clientIdEnv: envVarName.optional(),
  clientSecretEnv: envVarName.optional(),
  /** Default scope; a role's own `scope` wins. */
  scope: z.string().optional(),
  /** Extra form fields (e.g. `audience`). */
  fields: fixedFields,
  /** Send the client credentials as HTTP basic auth instead of form fields. */
  clientAuth: z.enum(['body', 'basic']).default('body'),
  ...common,
};

export const oauthPasswordSchema = z.object({ type: z.literal('oauth2-password'), ...oauthCommon }).strict();
export const oauthClientCredentialsSchema = z.object({ type: z.literal('oauth2-client-credentials'), ...oauthCommon }).strict();
/** Each role's pre-issued token comes from its `tokenEnv`. */
export const bearerSchema = z.object({ type: z.literal('bearer'), ...tokenUse }).strict();
/** Each role's session cookie (`name=value`, or the value of `name`) comes from its `cookieEnv`. */
export const cookieSchema = z.object({ type: z.literal('cookie'), name: z.string().min(1).optional() }).strict();
/** HTTP basic auth with each role's username and password; no login request. */
export const basicSchema = z.object({ type: z.literal('basic') }).strict();

export const authSchema = z.discriminatedUnion('type', [
  jsonLoginSchema,
  formLoginSchema,
  oauthPasswordSchema,
  oauthClientCredentialsSchema,
  bearerSchema,
  cookieSchema,
  basicSchema,
]);

/** One role of the target: who pdv acts as. Every value that is a secret is named by env var. */
export const roleSchema = z
  .object({
    username: z.string().min(1).optional(),
    passwordEnv: envVarName.optional(),
    /** A pre-issued bearer token for this role (wins over the environment's login). */
    tokenEnv: envVarName.optional(),
    /** A pre-issued session cookie for this role (`name=value`). */
    cookieEnv: envVarName.optional(),
    /** OAuth2 scope for this role. */
    scope: z.string().optional(),
    /** OAuth2 client-credentials per role. */
    clientIdEnv: envVarName.optional(),
    clientSecretEnv: envVarName.optional(),
  })
  .strict();

export type AuthConfig = z.infer<typeof authSchema>;
export type RoleConfig = z.infer<typeof roleSchema>;
