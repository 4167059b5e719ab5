import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { importUserModule } from '../platform/user-module.ts';
import { errorMessage, UsageError } from '../core/errors.ts';
import { httpUrl } from '../core/schema.ts';
import { roleSecretNames } from '../auth/login.ts';
import { buildConfigSchema, configSchema } from './schema.ts';
import { stageRegistry } from '../stages/index.ts';
import type { StageDefinition } from '../stages/stage.ts';
import { environmentSchema, type EnvironmentConfig } from '../target/environment.ts';
import type { ResolvedConfig } from './types.ts';

export const DEFAULT_CONFIG_FILE = 'pdv.config.ts';

/** Values from the command line; each wins over env and file. */
export interface ConfigFlags {
  config?: string;
  env?: string;
  baseUrl?: string;
  apiUrl?: string;
  expectVersion?: string;
  deployId?: string;
}

export function formatZodIssues(error: z.ZodError, where: string): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
      return `${where}: ${path}: ${issue.message}`;
    })
    .join('\n');
}

async function importConfigFile(file: string): Promise<unknown> {
  try {
    // JavaScript natively, TypeScript bundled with esbuild (src/platform/user-module.ts).
    const mod = (await importUserModule(file)) as { default?: unknown; config?: unknown };
    let value = mod.default ?? mod.config;
    // A .ts file outside an ESM package loads as CommonJS: unwrap the interop default.
    // (A config has no `default` key of its own: the schema is strict.)
    if (value && typeof value === 'object' && 'default' in value) value = (value as { default: unknown }).default;
    return value;
  } catch (err) {
    throw new UsageError(`cannot load the config file: ${errorMessage(err)}`, file);
  }
}

/** A URL's text with any `user:password@` part blanked (it may not parse as a URL at all). */
export function withoutUserinfo(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#@\s]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}[REDACTED]@`);
}

function checkUrl(value: string, where: string): string {
  const parsed = httpUrl.safeParse(value);
  // The refused value is echoed without its userinfo: `ftp://user:password@host` must not print the password.
  if (!parsed.success) throw new UsageError(`"${withoutUserinfo(value)}" ${parsed.error.issues[0]?.message ?? 'is not an absolute http(s) URL'}`, where);
  return value;
}

/**
 * One resolved config with clear precedence: flag > env var > file > default.
 * Every error names the file and the field; nothing is written before this succeeds.
 */
export async function loadConfig(flags: ConfigFlags, environ: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<ResolvedConfig> {
  const explicit = flags.config !== undefined;
  const file = resolve(cwd, flags.config ?? DEFAULT_CONFIG_FILE);
  let raw: unknown;
  let usedFile: string | undefined;
  if (existsSync(file)) {
    raw = await importConfigFile(file);
    usedFile = file;
    if (raw === undefined || raw === null || typeof raw !== 'object') {
      throw new UsageError('the config file must `export default defineConfig({...})`', file);
    }
  } else if (explicit) {
    throw new UsageError('config file not found', file);
  } else {
    raw = { environments: {} };
  }

  const where = usedFile ?? 'config';
  const pluginStages = await loadPlugins(raw, usedFile);
  const schema = pluginStages.length ? (buildConfigSchema(stageRegistry(pluginStages)) as unknown as typeof configSchema) : configSchema;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new UsageError(formatZodIssues(parsed.error, where));
  const config = parsed.data;

  const environmentName = flags.env ?? environ.ENVIRONMENT ?? 'staging';
  if (!/^[a-z][a-z0-9_-]*$/.test(environmentName)) throw new UsageError(`"${environmentName}" is not an environment name`, '--env');
  const baseUrl = flags.baseUrl ?? environ.PDV_BASE_URL;
  const apiUrl = flags.apiUrl ?? environ.API_BASE_URL;
  const fromFile = config.environments[environmentName];
  if (!fromFile && !baseUrl) {
    const known = Object.keys(config.environments);
    throw new UsageError(
      `environment "${environmentName}" is not defined${known.length ? ` (defined: ${known.join(', ')})` : ''}; define it or pass --base-url`,
      usedFile ? `${usedFile}: environments` : '--env',
    );
  }

  const environment: EnvironmentConfig = fromFile ? { ...fromFile } : environmentSchema.parse({ baseUrl: checkUrl(baseUrl ?? '', '--base-url') });
  if (baseUrl) environment.baseUrl = checkUrl(baseUrl, flags.baseUrl ? '--base-url' : 'PDV_BASE_URL');
  if (apiUrl) environment.apiUrl = checkUrl(apiUrl, flags.apiUrl ? '--api-url' : 'API_BASE_URL');
  if (flags.expectVersion !== undefined) {
    if (!flags.expectVersion.trim()) throw new UsageError('must not be empty', '--expect-version');
    environment.expectedVersion = flags.expectVersion;
  }

  const deployId = flags.deployId ?? environ.PDV_DEPLOY_ID;
  if (deployId !== undefined && !/^[A-Za-z0-9._:@/-]{1,200}$/.test(deployId)) {
    throw new UsageError(`"${deployId}" is not a deploy id (letters, digits, . _ : @ / -)`, flags.deployId ? '--deploy-id' : 'PDV_DEPLOY_ID');
  }

  const rootDir = usedFile ? dirname(usedFile) : cwd;
  return {
    ...config,
    ...(usedFile ? { file: usedFile } : {}),
    rootDir,
    reportsDir: resolve(rootDir, config.reportsDir),
    environmentName,
    environment,
    runtime: {
      ...(environ.DATABASE_URL ? { databaseUrl: environ.DATABASE_URL } : {}),
      ...(environ.REDIS_URL ? { redisUrl: environ.REDIS_URL } : {}),
      ...(environ.AWS_REGION ? { awsRegion: environ.AWS_REGION } : {}),
    },
    ...(deployId ? { deployId } : {}),
    env: Object.freeze({ ...environ }),
    ...(pluginStages.length ? { pluginStages } : {}),
  };
}

function isStageDefinition(v: unknown): v is StageDefinition {
  if (!v || typeof v !== 'object') return false;
  const d = v as Partial<StageDefinition>;
  return typeof d.name === 'string' && typeof d.run === 'function' && typeof d.isConfigured === 'function' && typeof d.order === 'number' && !!d.configSchema && typeof (d.configSchema as { safeParse?: unknown }).safeParse === 'function';
}

/**
 * Plugin stages named by the config's `plugins` (module paths relative to the
 * config file, each default-exporting a StageDefinition): loaded before the
 * config is validated, since their sections are part of it.
 */
async function loadPlugins(raw: unknown, file: string | undefined): Promise<StageDefinition[]> {
  const list = (raw as { plugins?: unknown }).plugins;
  if (list === undefined) return [];
  const where = `${file ?? 'config'}: plugins`;
  if (!Array.isArray(list) || list.some((p) => typeof p !== 'string' || !p)) throw new UsageError('must be a list of module paths', where);
  const builtin = new Set(stageRegistry().map((s) => s.name));
  const out: StageDefinition[] = [];
  for (const [i, rel] of (list as string[]).entries()) {
    const path = resolve(file ? dirname(file) : process.cwd(), rel);
    let mod: { default?: unknown; stage?: unknown };
    try {
      mod = (await importUserModule(path)) as { default?: unknown; stage?: unknown };
    } catch (err) {
      throw new UsageError(`cannot load plugin ${path}: ${errorMessage(err)}`, `${where}.${i}`);
    }
    let def = mod.default ?? mod.stage;
    if (def && typeof def === 'object' && 'default' in def && !isStageDefinition(def)) def = (def as { default: unknown }).default;
    if (!isStageDefinition(def)) throw new UsageError(`${path} must default-export a stage (defineStage({ name, description, configSchema, isConfigured, order, run }))`, `${where}.${i}`);
    if (!/^[a-z][a-z0-9-]*$/.test(def.name)) throw new UsageError(`stage name "${def.name}" must be a lower-case word`, `${where}.${i}`);
    if (builtin.has(def.name) || out.some((s) => s.name === def.name) || ['run', 'soak', 'signoff'].includes(def.name)) {
      throw new UsageError(`stage name "${def.name}" is already taken`, `${where}.${i}`);
    }
    out.push(def);
  }
  return out;
}

/** Secret values of this run, by env-var name: credentials, declared secrets, runbook URLs. */
export function collectSecrets(config: ResolvedConfig, environ: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const names = new Set<string>([
    ...Object.values(config.environment.credentials).flatMap((c) => roleSecretNames(c, config.environment.auth)),
    ...config.environment.secretEnv,
    'DATABASE_URL',
    'REDIS_URL',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'GITHUB_TOKEN',
  ]);
  const out = new Map<string, string>();
  for (const name of names) {
    const value = environ[name];
    if (value) out.set(name, value);
  }
  // The password inside a connection string is a secret on its own.
  for (const name of ['DATABASE_URL', 'REDIS_URL']) {
    const value = environ[name];
    if (!value) continue;
    try {
      const password = decodeURIComponent(new URL(value).password);
      if (password) out.set(`${name}_PASSWORD`, password);
    } catch {
      // not a URL; the whole value is already registered
    }
  }
  return out;
}
