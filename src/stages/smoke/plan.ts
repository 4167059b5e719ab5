import type { SmokeConfig } from './config.ts';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { requireFolder } from '../../platform/fs.ts';
import type { PlanContext } from '../stage.ts';
import { planDependencies } from '../../deps/resolve.ts';

// What smoke needs, checked before the first request.

export async function planSmoke(ctx: PlanContext<SmokeConfig>): Promise<void> {
  const { settings: config } = ctx;
  const cfg = ctx.config;
  const env = config.environment;
  const where = (field: string): string => `${config.file ?? 'config'}: ${field}`;
  for (const [i, c] of cfg.checks.entries()) {
    if (c.role && !(c.role in env.credentials)) {
      throw new UsageError(`role "${c.role}" is not in environments.${config.environmentName}.credentials (${Object.keys(env.credentials).join(', ') || 'none configured'})`, where(`stages.smoke.checks.${i}.role`));
    }
  }
  const ids = cfg.checks.map((c) => c.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new UsageError(`check id "${dup}" is used twice`, where('stages.smoke.checks'));
  planDependencies(cfg.dependencies, config, ctx.settings.env);
  if (cfg.testDir) requireFolder(config.rootDir, cfg.testDir, where('stages.smoke.testDir'));
  if (cfg.flagsMirror && !existsSync(resolve(config.rootDir, cfg.flagsMirror))) {
    throw new UsageError(`flag mirror ${resolve(config.rootDir, cfg.flagsMirror)} does not exist`, where('stages.smoke.flagsMirror'));
  }
  if (ctx.target.expectedVersion && !env.version && !cfg.testDir) {
    throw new UsageError(
      `an expected version (${ctx.target.expectedVersion}) is given but nothing reads the live version: set environments.${config.environmentName}.version ({ path, field } or { path, header })`,
      where(`environments.${config.environmentName}.version`),
    );
  }
}
