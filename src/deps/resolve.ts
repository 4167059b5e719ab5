import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunSettings } from '../target/settings.ts';
import { UsageError } from '../core/errors.ts';
import { newestMigration } from '../dr/manifest.ts';
import type { DependencyConfig, PostgresDependency } from './config.ts';
import type { Environ } from '../core/types.ts';

// Where a dependency's URL and the release's migration come from, and what
// the plan refuses before any connection is made.

type Runtime = Pick<RunSettings, 'runtime'>;

/** The URL from the runbook (DATABASE_URL / REDIS_URL as resolved) or the named env var. */
export function dependencyUrl(dep: DependencyConfig, config: Runtime, env: Environ): string | undefined {
  if (dep.urlEnv === 'DATABASE_URL') return config.runtime.databaseUrl ?? env.DATABASE_URL;
  if (dep.urlEnv === 'REDIS_URL') return config.runtime.redisUrl ?? env.REDIS_URL;
  return env[dep.urlEnv] || undefined;
}

const SCHEMES: Record<DependencyConfig['type'], string[]> = { postgres: ['postgres:', 'postgresql:'], redis: ['redis:', 'rediss:'] };

/** Throws a UsageError naming the field: a missing URL, a URL of the wrong kind, a duplicate name, a missing migrations folder. */
export function planDependencies(deps: readonly DependencyConfig[], config: Runtime & Pick<RunSettings, 'rootDir' | 'file'>, env: Environ): void {
  const where = (field: string): string => `${config.file ?? 'config'}: ${field}`;
  const seen = new Set<string>();
  for (const [i, dep] of deps.entries()) {
    const field = `stages.smoke.dependencies.${i}`;
    if (seen.has(dep.name)) throw new UsageError(`dependency name "${dep.name}" is used twice`, where(`${field}.name`));
    seen.add(dep.name);
    const url = dependencyUrl(dep, config, env);
    if (!url) throw new UsageError(`${dep.type} dependency "${dep.name}" needs its URL in the environment variable ${dep.urlEnv}, which is not set`, where(`${field}.urlEnv`));
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      // Never echo the value: it carries credentials.
      throw new UsageError(`${dep.urlEnv} is not a URL`, where(`${field}.urlEnv`));
    }
    if (!SCHEMES[dep.type].includes(protocol)) {
      throw new UsageError(`${dep.urlEnv} is a ${protocol}// URL; a ${dep.type} dependency needs ${SCHEMES[dep.type].map((s) => `${s}//`).join(' or ')}`, where(`${field}.urlEnv`));
    }
    if (dep.type === 'postgres' && dep.migrationsDir) {
      const dir = resolve(config.rootDir, dep.migrationsDir);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`migrations folder ${dir} does not exist`, where(`${field}.migrationsDir`));
    }
  }
}

/** The release's migration version: given, or the newest file in migrationsDir. */
export async function expectedMigrationOf(dep: PostgresDependency, rootDir: string): Promise<string | undefined> {
  if (dep.expectedMigration) return dep.expectedMigration;
  if (dep.migrationsDir) return newestMigration(resolve(rootDir, dep.migrationsDir));
  return undefined;
}
