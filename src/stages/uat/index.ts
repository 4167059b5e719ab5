import { defineStage } from '../stage.ts';
import { uatConfigSchema } from './config.ts';

/** UAT: the stakeholders' acceptance flows, in Chromium, with evidence on failure. */
export const uatStage = defineStage({
  name: 'uat',
  description: 'your scripted acceptance flows (Playwright specs) in a real browser',
  docs: 'docs/smoke-uat.md',
  configSchema: uatConfigSchema,
  isConfigured: (c) => !!c.testDir,
  order: 20,
  shards: true,
  plan: async (ctx) => (await import('./run.ts')).planUat(ctx),
  run: async (ctx) => (await import('./run.ts')).runUat(ctx),
});
