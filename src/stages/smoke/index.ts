import type { Stage } from '../../core/stage.ts';
import { runSmoke } from './run.ts';

/** Smoke: is the deploy alive, the right build, logged-in-able, correctly flagged? */
export const smokeStage: Stage = {
  name: 'smoke',
  description: 'readiness wait, then deep health, version, login, read endpoints, home page, flags and integration probe',
  async run(ctx) {
    await runSmoke(ctx, ctx.target, {
      emit: true,
      ...(ctx.grep ? { grep: ctx.grep } : {}),
      ...(ctx.shard ? { shard: ctx.shard } : {}),
    });
  },
};
