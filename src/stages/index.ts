import type { StageDefinition } from './stage.ts';
import { smokeStage } from './smoke/index.ts';
import { uatStage } from './uat/index.ts';
import { securityStage } from './security/index.ts';
import { loadStage } from './load/index.ts';
import { drStage } from './dr/index.ts';
import { metricsStage } from './metrics/index.ts';

// The built-in stages: one line each. A definition is light (name, config
// schema, flags); its plan/run code is imported when the stage runs, so a
// smoke-only run never pays for the AWS SDK or the load engine. Plugin
// stages (config `plugins`) are added beside these (src/config/plugins.ts).
export const BUILTIN_STAGES = [smokeStage, uatStage, securityStage, loadStage, drStage, metricsStage] as const;

export type { StageDefinition } from './stage.ts';

/** The registry a run uses: the built-ins, then plugins, in the default order. */
export function stageRegistry(plugins: readonly StageDefinition[] = []): StageDefinition[] {
  return [...(BUILTIN_STAGES as readonly StageDefinition[]), ...plugins].sort((a, b) => a.order - b.order);
}
