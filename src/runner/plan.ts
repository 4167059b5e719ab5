import type { ResolvedConfig } from '../config/types.ts';
import { UsageError } from '../core/errors.ts';
import type { Stage } from '../core/stage.ts';
import { STAGE_NAMES, type StageName } from '../core/types.ts';
import { STAGE_LOADERS } from '../stages/index.ts';

export interface PlannedStage {
  name: StageName;
  load: () => Promise<Stage>;
  timeoutMs: number;
  required: boolean;
}

export function isStageName(name: string): name is StageName {
  return (STAGE_NAMES as readonly string[]).includes(name);
}

/**
 * `pdv verify` runs every enabled stage in the configured order; `pdv run`
 * runs exactly the stages named (explicit request wins over `enabled`).
 */
export function planStages(config: ResolvedConfig, requested?: readonly string[]): PlannedStage[] {
  let names: StageName[];
  if (requested && requested.length > 0) {
    const unknown = requested.filter((n) => !isStageName(n));
    if (unknown.length) {
      throw new UsageError(`unknown stage ${unknown.map((u) => `"${u}"`).join(', ')} (stages: ${STAGE_NAMES.join(', ')})`, 'pdv run');
    }
    names = [...new Set(requested as StageName[])];
    const missing = names.filter((n) => !STAGE_LOADERS[n]);
    if (missing.length) throw new UsageError(`stage ${missing.join(', ')} is not available in this build`, 'pdv run');
  } else {
    names = config.stageOrder.filter((n) => config.stages[n].enabled && STAGE_LOADERS[n]);
  }
  return names.map((name) => {
    const load = STAGE_LOADERS[name];
    if (!load) throw new UsageError(`stage ${name} is not available`, 'stageOrder');
    return { name, load, timeoutMs: config.stages[name].timeout, required: config.stages[name].required };
  });
}
