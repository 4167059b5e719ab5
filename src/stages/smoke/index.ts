import { defineStage } from '../stage.ts';
import { smokeConfigSchema } from './config.ts';

/** Smoke: is the deploy alive, the right build, logged-in-able, correctly flagged? */
export const smokeStage = defineStage({
  name: 'smoke',
  description: 'readiness wait, sign-in per role, live version, declared HTTP checks, then your Playwright smoke specs',
  docs: 'docs/smoke-uat.md',
  configSchema: smokeConfigSchema,
  // Needs nothing but the target's URLs.
  isConfigured: () => true,
  order: 10,
  // First and by itself: nothing else starts until smoke has said the deploy is alive (fail-fast).
  alone: true,
  dependsOn: [],
  shards: true,
  plan: async (ctx) => (await import('./plan.ts')).planSmoke(ctx),
  async run(ctx) {
    const { runSmoke } = await import('./run.ts');
    await runSmoke(ctx, ctx.target, {
      emit: true,
      ...(ctx.grep ? { grep: ctx.grep } : {}),
      ...(ctx.shard ? { shard: ctx.shard } : {}),
    });
  },
  // The same readiness, sign-in, version and declared checks against another copy of the target.
  reverify: async (ctx, target, idPrefix) => (await import('./run.ts')).runSmoke(ctx, target, { idPrefix, emit: false }),
});
