import type { Stage } from '../../core/stage.ts';
import { runPlaywrightChecks } from '../playwright/run-checks.ts';

/** UAT: the stakeholders' acceptance flows, in Chromium, with evidence on failure. */
export const uatStage: Stage = {
  name: 'uat',
  description: 'scripted acceptance flows (render, roles, admin, session) in a real browser',
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
      emit: true,
    });
  },
};
