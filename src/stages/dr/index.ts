import { defineStage } from '../stage.ts';
import { drConfigSchema } from '../../dr/config.ts';

export { DR_CHECKS } from './checks.ts';

export const drStage = defineStage({
  name: 'dr',
  description: 'restore the newest backup into a scratch copy, validate data and app on it, measure RPO and RTO',
  docs: 'docs/dr.md',
  configSchema: drConfigSchema,
  isConfigured: (c) => !!c.driver,
  order: 50,
  // Its evidence is its own scratch copy, so it needs only a live deploy and runs beside uat and
  // security, before load; unless it counts rows in the live database, which load and uat write to.
  dependsOn: (c) => (c.compareTo === 'live' ? ['smoke', 'uat', 'load'] : ['smoke']),
  plan: async (ctx) => (await import('./plan.ts')).planDr(ctx),
  run: async (ctx) => (await import('./run.ts')).runDr(ctx),
  report: async () => ({ section: (await import('./report.ts')).drSection }),
});
