import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../core/errors.ts';
import { importUserModule } from '../platform/user-module.ts';
import type { ModuleLoginConfig } from './config.ts';
import { cannot, refused, type LoginInput, type Outcome } from './outcome.ts';
import { Jar, type StorageState } from './session.ts';

// Your own login code, for what no declarative shape covers (HMAC-signed
// APIs, SSO with PKCE, a GraphQL login mutation, a one-time code from env).
// A module that throws, or answers something that is not a session, is pdv's
// input failing (errored); one that returns `{ refused }` reports the target's
// refusal (failed).

export interface LoginModuleArgs {
  role: string;
  username: string | undefined;
  password: string | undefined;
  baseUrl: string;
  apiUrl: string;
  /** The platform fetch; pass `signal` on to it. */
  fetch: typeof fetch;
  signal: AbortSignal;
}

const cookieSchema = z.object({
  name: z.string().min(1),
  value: z.string(),
  domain: z.string().optional(),
  path: z.string().optional(),
  secure: z.boolean().optional(),
  httpOnly: z.boolean().optional(),
  expires: z.number().optional(),
});

export const loginModuleResultSchema = z.union([
  z.object({ refused: z.string().min(1), status: z.number().int().optional() }).strict(),
  z
    .object({
      headers: z.record(z.string(), z.string()).optional(),
      cookies: z.array(cookieSchema).optional(),
      storageState: z
        .object({
          cookies: z.array(cookieSchema.extend({ domain: z.string(), path: z.string() }).passthrough()),
          origins: z.array(z.object({ origin: z.string(), localStorage: z.array(z.object({ name: z.string(), value: z.string() })) })),
        })
        .optional(),
      userId: z.union([z.string(), z.number()]).optional(),
    })
    .strict()
    .refine((r) => Boolean(r.headers && Object.keys(r.headers).length) || Boolean(r.cookies?.length) || Boolean(r.storageState?.cookies.length), 'a session needs headers, cookies or a storageState with cookies'),
]);
export type LoginModuleResult = z.infer<typeof loginModuleResultSchema>;
export type LoginModule = (args: LoginModuleArgs) => Promise<LoginModuleResult>;

export function moduleFile(module: string, rootDir: string): string {
  return isAbsolute(module) ? module : resolve(rootDir, module);
}

/** Why a login module cannot be used, known before any request (a usage error), or undefined. */
export function moduleProblem(module: string, rootDir: string): string | undefined {
  const file = moduleFile(module, rootDir);
  return existsSync(file) ? undefined : `module ${file} does not exist`;
}

export async function loadFunction(module: string, rootDir: string): Promise<(...args: never[]) => unknown> {
  const mod = await importUserModule(moduleFile(module, rootDir));
  const fn = mod.default ?? mod.login;
  if (typeof fn !== 'function') throw new Error(`${module} has no default export function`);
  return fn as (...args: never[]) => unknown;
}

/** Race a user's promise against the sign-in's time bound. */
export async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export async function moduleLogin(cfg: ModuleLoginConfig, x: LoginInput): Promise<Outcome> {
  const label = `sign in as ${x.role} (module ${cfg.module})`;
  const r = x.redactor;
  let raw: unknown;
  try {
    const fn = (await loadFunction(cfg.module, x.rootDir)) as LoginModule;
    const ctl = new AbortController();
    const onAbort = (): void => ctl.abort();
    x.signal.addEventListener('abort', onAbort, { once: true });
    try {
      raw = await bounded(fn({ role: x.role, username: x.username, password: x.password, baseUrl: x.baseUrl, apiUrl: x.apiUrl, fetch: globalThis.fetch, signal: ctl.signal }), cfg.timeout, 'the login module');
    } finally {
      ctl.abort();
      x.signal.removeEventListener('abort', onAbort);
    }
  } catch (err) {
    return cannot(`${label} failed before giving a session: ${r.text(errorMessage(err))}`);
  }
  const parsed = loginModuleResultSchema.safeParse(raw);
  if (!parsed.success) return cannot(`${label} returned no session: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(result)'}: ${i.message}`).join('; ')}`);
  const res = parsed.data;
  if ('refused' in res) return refused(`${label}: the application refused: ${r.text(res.refused)}`, [], res.status);
  return { ...sessionOf(res, x), how: 'module', decidedBy: 'the login module' };
}

function sessionOf(res: Exclude<LoginModuleResult, { refused: string }>, x: LoginInput): Extract<Outcome, { ok: true }> {
  const jar = new Jar();
  const fixed = Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [k, v] of Object.entries(fixed)) {
    if (k === 'cookie') {
      for (const pair of v.split(/;\s*/).filter(Boolean)) {
        const i = pair.indexOf('=');
        if (i > 0) jar.put({ name: pair.slice(0, i), value: pair.slice(i + 1) }, x.apiUrl);
      }
      delete fixed[k];
      continue;
    }
    x.redactor.addSecret(`module:${x.role}:${k}`, v);
    const parts = v.split(' ');
    if (parts.length === 2) x.redactor.addSecret(`module:${x.role}:${k}:value`, parts[1]);
  }
  for (const c of [...(res.cookies ?? []), ...(res.storageState?.cookies ?? [])]) jar.put(c, x.apiUrl);
  for (const c of jar.all()) x.redactor.addSecret(`cookie:${x.role}:${c.name}`, c.value);
  for (const o of res.storageState?.origins ?? []) for (const item of o.localStorage) x.redactor.addSecret(`storage:${x.role}:${item.name}`, item.value);
  const storageState: StorageState | undefined = res.storageState ? { cookies: jar.all(), origins: res.storageState.origins } : undefined;
  return { ok: true, fixed, jar, how: 'module', ...(res.userId !== undefined ? { userId: String(res.userId) } : {}), ...(storageState ? { storageState } : {}), evidence: [] };
}
