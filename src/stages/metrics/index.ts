import { defineStage } from '../stage.ts';
import { metricsConfigSchema } from './config.ts';

export const metricsStage = defineStage({
  name: 'metrics',
  description: 'Metrics and alarms: source health, alarms, analysis rules, before/after comparison',
  docs: 'docs/metrics-soak.md',
  configSchema: metricsConfigSchema,
  isConfigured: (m) =>
    m.rules.length > 0 ||
    m.alarms.length > 0 ||
    m.comparisons.length > 0 ||
    m.logs.length > 0 ||
    m.traces.length > 0 ||
    m.monitoring !== undefined ||
    Object.keys(m.sources).length > 0,
  order: 60,
  plan: async (ctx) => (await import('./plan.ts')).planMetrics(ctx),
  run: async (ctx) => (await import('./run.ts')).runMetrics(ctx),
  report: async () => ({ section: (await import('./report.ts')).metricsSection }),
});
