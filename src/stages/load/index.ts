import { defineStage } from '../stage.ts';
import { loadConfigSchema } from './config.ts';

// The load stage: an open-model run of the scenario against the target,
// thresholds → checks, a baseline comparison, optional capacity (closed
// loop). `pdv merge` re-adds the raw histograms of every segment.

export const loadStage = defineStage({
  name: 'load',
  description: 'open-model load with k6-style thresholds, honest (corrected) latency tails and baselines',
  docs: 'docs/load.md',
  configSchema: loadConfigSchema,
  isConfigured: (c) => !!c.scenario,
  order: 40,
  // Latencies measured beside other stages would be the harness's noise, not the target's.
  alone: true,
  dependsOn: ['smoke'],
  segments: true,
  imports: true,
  // k6's results (a summary, or each pod's raw output) are judged here; nothing is sent.
  sendsNothing: async (imports) => (await import('./plan.ts')).importsOnly(imports),
  plan: async (ctx) => (await import('./plan.ts')).planLoad(ctx),
  run: async (ctx) => (await import('./run.ts')).runLoad(ctx),
  merge: async (shards, ctx) => (await import('./merge.ts')).mergeLoad(shards, ctx),
  afterVerdict: async (ctx) => (await import('./baseline.ts')).recordLoadBaseline(ctx.report, ctx.config, ctx.settings),
  report: async () => ({ section: (await import('./report.ts')).loadSection }),
});
