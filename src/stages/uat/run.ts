import { UsageError } from '../../core/errors.ts';
import { requireFolder } from '../../platform/fs.ts';
import { runPlaywrightChecks } from '../../playwright/run-checks.ts';
import type { PlanContext, StageContext } from '../stage.ts';
import type { UatConfig } from './config.ts';

export async function planUat(ctx: PlanContext<UatConfig>): Promise<void> {
  const where = `${ctx.settings.file ?? 'config'}: stages.uat.testDir`;
  const dir = ctx.config.testDir;
  if (!dir) throw new UsageError('the uat stage runs your Playwright specs: name their folder (or set stages.uat.enabled: false)', where);
  requireFolder(ctx.settings.rootDir, dir, where);
}

export async function runUat(ctx: StageContext<UatConfig>): Promise<void> {
  const cfg = ctx.config;
  const grep = ctx.grep ?? cfg.grep;
  await runPlaywrightChecks(ctx, {
    stage: 'uat',
    projects: ['uat'],
    target: ctx.target,
    ...(cfg.testDir ? { testDirs: { uat: cfg.testDir } } : {}),
    ...(grep ? { grep } : {}),
    ...(ctx.shard ? { shard: ctx.shard } : {}),
    retries: cfg.retries,
    workers: cfg.workers,
    trace: cfg.trace,
    screenshot: cfg.screenshot,
    testTimeout: cfg.testTimeout,
    allure: cfg.allure,
    signIn: cfg.signIn,
    emit: true,
  });
}
