import { planAuth } from '../auth/index.ts';
import { caFiles, readCaFiles } from '../http/tls.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { UsageError } from '../core/errors.ts';
import type { PlanContext, Stage } from '../core/stage.ts';
import { STAGE_NAMES, type StageName, type Target } from '../core/types.ts';
import { STAGE_LOADERS } from '../stages/index.ts';

export interface PlannedStage {
  name: StageName;
  load: () => Promise<Stage>;
  timeoutMs: number;
  required: boolean;
}

const DEFAULT_ORDER: StageName[] = ['smoke', 'uat', 'security', 'load', 'dr', 'metrics'];

/** Whether the config sets a stage up (used for the default plan; nothing app-specific runs unless configured). */
export function isConfigured(name: StageName, config: ResolvedConfig): boolean {
  const s = config.stages;
  switch (name) {
    case 'smoke':
    case 'security':
      return true;
    case 'uat':
      return !!s.uat.testDir;
    case 'load':
      return !!s.load.scenario;
    case 'dr':
      return !!s.dr.driver;
    case 'metrics':
      return (
        s.metrics.rules.length > 0 ||
        s.metrics.alarms.length > 0 ||
        s.metrics.comparisons.length > 0 ||
        s.metrics.logs.length > 0 ||
        s.metrics.traces.length > 0 ||
        s.metrics.monitoring !== undefined ||
        Object.keys(s.metrics.sources).length > 0
      );
  }
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
    const order = config.stageOrder ?? DEFAULT_ORDER.filter((n) => isConfigured(n, config));
    names = order.filter((n) => config.stages[n].enabled && STAGE_LOADERS[n]);
  }
  return names.map((name) => {
    const load = STAGE_LOADERS[name];
    if (!load) throw new UsageError(`stage ${name} is not available`, 'stageOrder');
    return { name, load, timeoutMs: config.stages[name].timeout, required: config.stages[name].required };
  });
}

export interface PlanCheckInput {
  config: ResolvedConfig;
  stages: PlannedStage[];
  secrets: ReadonlyMap<string, string>;
  imports: string[];
  grep?: string;
  shard?: { index: number; total: number };
  segment?: { index: number; total: number };
}

/**
 * Everything knowable before the first request: each planned stage checks its
 * own config and files, and flags the run cannot honour are refused. Throws a
 * UsageError (exit 3) — nothing has been sent or written yet.
 */
export async function checkPlan(input: PlanCheckInput): Promise<void> {
  const { config } = input;
  const target: Target = {
    environment: config.environmentName,
    baseUrl: config.environment.baseUrl,
    ...(config.environment.apiUrl ? { apiUrl: config.environment.apiUrl } : {}),
    ...(config.environment.expectedVersion ? { expectedVersion: config.environment.expectedVersion } : {}),
  };
  const planned = input.stages.map((s) => s.name);
  const loaded: Array<{ name: string; stage: Stage }> = [];
  for (const s of input.stages) loaded.push({ name: s.name, stage: await s.load() });

  if (input.segment && !loaded.some((l) => l.stage.segments)) {
    throw new UsageError(`no planned stage can run a segment (planned: ${planned.join(', ') || 'none'})`, '--segment');
  }
  if ((input.shard || input.grep) && !loaded.some((l) => l.stage.shards)) {
    throw new UsageError(`no planned stage runs Playwright specs (planned: ${planned.join(', ') || 'none'})`, input.shard ? '--shard' : '--grep');
  }
  if (input.imports.length > 0 && !planned.includes('security') && !planned.includes('load')) {
    throw new UsageError('imported reports are read by the security stage (scanner reports) or the load stage (k6 summaries), neither of which this run includes', '--import');
  }
  const ctx: PlanContext = {
    config,
    target,
    secrets: input.secrets,
    imports: input.imports,
    planned,
    ...(input.grep ? { grep: input.grep } : {}),
    ...(input.shard ? { shard: input.shard } : {}),
    ...(input.segment ? { segment: input.segment } : {}),
  };
  const env = config.environment;
  // A private CA must be readable before anything is sent.
  if (env.trustedCa !== undefined) readCaFiles(caFiles(env.trustedCa, config.rootDir), `${config.file ?? 'config'}: environments.${config.environmentName}.trustedCa`);
  if (planned.includes('security') && config.stages.security.trustedCa !== undefined) {
    readCaFiles(caFiles(config.stages.security.trustedCa, config.rootDir), `${config.file ?? 'config'}: stages.security.trustedCa`);
  }
  // Every role must be able to at least attempt its sign-in: a missing secret is the harness's input.
  const problems = planAuth(env.auth, env.credentials, input.secrets);
  if (problems.length) {
    const at = `${config.file ?? 'config'}: environments.${config.environmentName}`;
    throw new UsageError(problems.map(([where, what]) => `${at}.${where}: ${what}`).join('\n'));
  }
  for (const l of loaded) await l.stage.plan?.(ctx);
}
