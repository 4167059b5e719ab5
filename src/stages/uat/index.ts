import type { Stage } from '../../core/stage.ts';
import { UsageError } from '../../core/errors.ts';
import { runPlaywrightChecks } from '../../playwright/run-checks.ts';
import { requireFolder } from '../smoke/plan.ts';

/** UAT: the stakeholders' acceptance flows, in Chromium, with evidence on failure. */
export const uatStage: Stage = {
  name: 'uat',
  description: 'your scripted acceptance flows (Playwright specs) in a real browser',
  shards: true,
  async plan(ctx) {
    const where = `${ctx.config.file ?? 'config'}: stages.uat.testDir`;
    const dir = ctx.config.stages.uat.testDir;
    if (!dir) throw new UsageError('the uat stage runs your Playwright specs: name their folder (or set stages.uat.enabled: false)', where);
    requireFolder(ctx.config.rootDir, dir, where);
  },
  async run(ctx) {
    const cfg = ctx.config.stages.uat;
    const grep = ctx.grep ?? cfg.grep;
    await runPlaywrightChecks(ctx, {
      stage: 'uat',
      projects: ['uat'],
      target: ctx.target,
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
  },
};
