import type { Stage } from '../core/stage.ts';
import type { StageName } from '../core/types.ts';

// Stages load lazily so a smoke-only run never pays for the AWS SDK or the
// load engine. Each stage lives in its own folder and talks to the rest only
// through the types in core/.
export const STAGE_LOADERS: Partial<Record<StageName, () => Promise<Stage>>> = {
  smoke: async () => (await import('./smoke/index.ts')).smokeStage,
  uat: async () => (await import('./uat/index.ts')).uatStage,
  dr: async () => (await import('./dr/index.ts')).drStage,
  security: async () => (await import('./security/index.ts')).securityStage,
  metrics: async () => (await import('./metrics/index.ts')).metricsStage,
  load: async () => (await import('./load/index.ts')).loadStage,
};
