import type { Stage } from '../../core/stage.ts';
import { planSmoke } from './plan.ts';
import { runSmoke } from './run.ts';

/** Smoke: is the deploy alive, the right build, logged-in-able, correctly flagged? */
export const smokeStage: Stage = {
  name: 'smoke',
  description: 'readiness wait, sign-in per role, live version, declared HTTP checks, then your Playwright smoke specs',
  shards: true,
  plan: planSmoke,
  async run(ctx) {
    await runSmoke(ctx, ctx.target, {
      emit: true,
      ...(ctx.grep ? { grep: ctx.grep } : {}),
      ...(ctx.shard ? { shard: ctx.shard } : {}),
    });
  },
};
