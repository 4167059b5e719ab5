import { z } from 'zod';
import { duration, envVarName } from '../core/schema.ts';
import { jsonExpectSchema, responseExpectSchema, statusSpecSchema } from '../http/expect.ts';

// How pdv signs in as each role of the target. One module serves every stage
// (smoke, UAT sessions, security access table, load, DR probe, post-rollback):
// the environment describes its login once. Secrets are named by env var only.

const status = z.number().int().min(100).max(599);
const fixedFields = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({});
/** A path on the API URL (`/api/login`), or an absolute URL; `{username}` is replaced (URL-encoded). */
const loginUrl = z.string().refine((s) => s.startsWith('/') || /^https?:\/\//.test(s), 'must be a path starting with / or an absolute http(s) URL');
/** Dotted JSON path into the answer, e.g. `token`, `data.accessToken`, `user.id`. */
const regex = z.string().min(1).refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, 'not a regular expression');
const jsonPath = z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a dotted JSON path such as data.token');

/**
 * A "who am I" request sent with the new session: it must answer as the signed-in user.
 * `{username}` in the path, body and expected strings is the role's username. Any auth type.
 */
export const verifySchema = z
  .object({
    path: loginUrl,
    method: z.enum(['GET', 'POST', 'HEAD']).default('GET'),
    /** Which URL the path is on (default: the one the login uses). */
    on: z.enum(['base', 'api']).optional(),
    body: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    headers: z.record(z.string(), z.string()).default({}),
    expect: responseExpectSchema.default({ status: '2xx' }),
  })
  .strict();

const common = {
  /** Statuses that mean "signed in" (default: any 2xx). */
  expect: z.array(status).min(1).optional(),
  timeout: duration.default(10_000),
  verify: verifySchema.optional(),
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

/** What "signed in" looks like in the answer to a form login (every given item must hold). */
export const formSuccessSchema = z
  .object({
    status: statusSpecSchema.optional(),
    /** A cookie of this name is set during the sign-in. */
    cookie: z.string().min(1).optional(),
    bodyContains: z.string().min(1).optional(),
    json: jsonExpectSchema.optional(),
    /** A regular expression the final URL (after redirects) must match. */
    url: regex.optional(),
  })
  .strict()
  .refine((s) => Object.keys(s).length > 0, 'an empty success rule says nothing: name a status, cookie, bodyContains, json or url');

/**
 * A login form as a browser submits it: GET the page, find the form (by `form`, else the one
 * holding a password input), keep its hidden inputs (CSRF tokens) and action, fill the
 * username and password, submit with the page's cookies, follow same-origin redirects.
 * `direct: true` skips the page and posts the fields to `url` (form-encoded APIs).
 */
export const formLoginSchema = z
  .object({
    type: z.literal('form'),
    ...passwordLogin,
    /** Input names; by default the form's text/email input before the password input, and the password input. */
    usernameField: z.string().min(1).optional(),
    passwordField: z.string().min(1).optional(),
    /** CSS selector of the login form on the page. */
    form: z.string().min(1).optional(),
    /** Which URL `url` is on when it is a path (default: the API URL, else the base URL). */
    on: z.enum(['base', 'api']).optional(),
    direct: z.boolean().default(false),
    success: formSuccessSchema.optional(),
  })
  .strict();

/** One step of a browser sign-in. Values may be `{username}` / `{password}`. */
const target = {
  selector: z.string().min(1).optional(),
  label: z.string().min(1).optional(),
  placeholder: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  text: z.string().min(1).optional(),
  role: z.string().min(1).optional(),
};
const oneTarget = (keys: string[]) => (s: Record<string, unknown>) => keys.filter((k) => s[k] !== undefined).length === 1;
export const browserStepSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('goto'), path: loginUrl }).strict(),
  z
    .object({ action: z.literal('fill'), selector: target.selector, label: target.label, placeholder: target.placeholder, name: target.name, value: z.string() })
    .strict()
    .refine(oneTarget(['selector', 'label', 'placeholder', 'name']), 'a fill step names exactly one of selector, label, placeholder, name'),
  z
    .object({ action: z.literal('click'), selector: target.selector, text: target.text, role: target.role, name: target.name })
    .strict()
    .refine((s) => (s.role ? s.selector === undefined && s.text === undefined : oneTarget(['selector', 'text'])(s)), 'a click step names exactly one of selector, text, or role (with name)'),
  z.object({ action: z.literal('press'), key: z.string().min(1), selector: target.selector }).strict(),
  z
    .object({ action: z.literal('waitFor'), url: regex.optional(), text: target.text, selector: target.selector })
    .strict()
    .refine(oneTarget(['url', 'text', 'selector']), 'a waitFor step names exactly one of url, text, selector'),
]);
export type BrowserStep = z.infer<typeof browserStepSchema>;

/** A real Chromium fills the login page: declarative steps, a module of your own, or pdv's default. */
export const browserLoginSchema = z
  .object({
    type: z.literal('browser'),
    /** The page to open (a path on the base URL, or absolute). */
    url: loginUrl,
    steps: z.array(browserStepSchema).min(1).optional(),
    /** A module (relative to the config file) whose default export gets `{ page, role, username, password, baseUrl }`. */
    module: z.string().min(1).optional(),
    /** What signed in looks like (every given item must hold); default: the password input is gone. */
    success: z
      .object({ url: regex.optional(), text: z.string().min(1).optional(), selector: z.string().min(1).optional() })
      .strict()
      .refine((s) => Object.keys(s).length > 0, 'an empty success rule says nothing')
      .optional(),
    /** A bearer token the page keeps in localStorage, for pdv's HTTP requests. */
    localStorageToken: z.object({ key: z.string().min(1), path: jsonPath.optional(), ...tokenUse }).strict().optional(),
    verify: verifySchema.optional(),
    timeout: duration.default(30_000),
  })
  .strict()
  .refine((b) => !(b.steps && b.module), 'give steps or module, not both');

/** Your own login code: a module whose default export returns headers, cookies or a storage state. */
export const moduleLoginSchema = z
  .object({
    type: z.literal('module'),
    /** A TypeScript or JavaScript file, relative to the config file. */
    module: z.string().min(1),
    verify: verifySchema.optional(),
    timeout: duration.default(30_000),
  })
  .strict();

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
export const bearerSchema = z.object({ type: z.literal('bearer'), ...tokenUse, verify: verifySchema.optional() }).strict();
/** Each role's session cookie (`name=value`, or the value of `name`) comes from its `cookieEnv`. */
export const cookieSchema = z.object({ type: z.literal('cookie'), name: z.string().min(1).optional(), verify: verifySchema.optional() }).strict();
/** HTTP basic auth with each role's username and password; no login request. */
export const basicSchema = z.object({ type: z.literal('basic'), verify: verifySchema.optional() }).strict();

export const authSchema = z.discriminatedUnion('type', [
  jsonLoginSchema,
  formLoginSchema,
  oauthPasswordSchema,
  oauthClientCredentialsSchema,
  bearerSchema,
  cookieSchema,
  basicSchema,
  browserLoginSchema,
  moduleLoginSchema,
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
export type VerifyConfig = z.infer<typeof verifySchema>;
export type FormLoginConfig = z.infer<typeof formLoginSchema>;
export type BrowserLoginConfig = z.infer<typeof browserLoginSchema>;
export type ModuleLoginConfig = z.infer<typeof moduleLoginSchema>;
export type RoleConfig = z.infer<typeof roleSchema>;
