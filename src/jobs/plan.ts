import { planAuth } from '../auth/index.ts';
import { caFiles, readCaFiles } from '../http/tls.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { UsageError } from '../core/errors.ts';
import { MIN_SECRET_LENGTH } from '../core/redact.ts';
import { refuseUnresolvable, type Lookup } from '../http/resolve.ts';
import type { Target } from '../core/types.ts';
import { stageRegistry } from '../stages/index.ts';
import type { PlanContext, StageBaseConfig, StageDefinition } from '../stages/stage.ts';
import type { RunSettings } from '../target/settings.ts';

/** A stage's section of the config: the base fields plus whatever its schema adds. */
export type StageSection = StageBaseConfig & Record<string, unknown>;

export interface PlannedStage {
  name: string;
  stage: StageDefinition;
  /** The stage's own config section, as its schema parsed it. */
  config: StageSection;
  timeoutMs: number;
  required: boolean;
}

/** The stages this config knows: the built-ins and its plugins, in the default order. */
export function registryOf(config: Pick<ResolvedConfig, 'pluginStages'>): StageDefinition[] {
  return stageRegistry(config.pluginStages ?? []);
}

/** What every stage shares (the part of the resolved config that is not a stage's own section). */
export function settingsOf(config: ResolvedConfig): RunSettings {
  return {
    project: config.project,
    ...(config.file !== undefined ? { file: config.file } : {}),
    rootDir: config.rootDir,
    reportsDir: config.reportsDir,
    environmentName: config.environmentName,
    environment: config.environment,
    runtime: config.runtime,
    ...(config.deployId !== undefined ? { deployId: config.deployId } : {}),
    env: config.env,
  };
}

/** The target under test, built once from the config. */
export function targetOf(config: ResolvedConfig): Target {
  return {
    environment: config.environmentName,
    baseUrl: config.environment.baseUrl,
    ...(config.environment.apiUrl ? { apiUrl: config.environment.apiUrl } : {}),
    ...(config.environment.expectedVersion ? { expectedVersion: config.environment.expectedVersion } : {}),
    ...(config.deployId ? { deployId: config.deployId } : {}),
  };
}

/** A stage's own section of the config (parsed by its schema; `{}` when the file has none). */
export function sectionOf(config: ResolvedConfig, stage: StageDefinition): StageSection {
  const stages = config.stages as Record<string, StageSection | undefined>;
  return stages[stage.name] ?? (stage.configSchema.parse({}) as StageSection);
}

/** Whether the config sets a stage up (used for the default plan; nothing app-specific runs unless configured). */
export function isConfigured(stage: StageDefinition, config: ResolvedConfig): boolean {
  return stage.isConfigured(sectionOf(config, stage), settingsOf(config));
}

export function isStageName(name: string, config: Pick<ResolvedConfig, 'pluginStages'>): boolean {
  return registryOf(config).some((s) => s.name === name);
}

/**
 * `pdv verify` runs every enabled stage in the configured order; `pdv run`
 * runs exactly the stages named (explicit request wins over `enabled`).
 */
export function planStages(config: ResolvedConfig, requested?: readonly string[]): PlannedStage[] {
  const registry = registryOf(config);
  const byName = new Map(registry.map((s) => [s.name, s]));
  let stages: StageDefinition[];
  if (requested && requested.length > 0) {
    const unknown = requested.filter((n) => !byName.has(n));
    if (unknown.length) {
      throw new UsageError(`unknown stage ${unknown.map((u) => `"${u}"`).join(', ')} (stages: ${registry.map((s) => s.name).join(', ')})`, 'pdv run');
    }
    stages = [...new Set(requested)].map((n) => byName.get(n)!);
  } else {
    const order = config.stageOrder ? config.stageOrder.map((n) => byName.get(n)!) : registry.filter((s) => isConfigured(s, config));
    stages = order.filter((s) => sectionOf(config, s).enabled);
  }
  return stages.map((stage) => {
    const section = sectionOf(config, stage);
    return { name: stage.name, stage, config: section, timeoutMs: section.timeout, required: section.required };
  });
}

export interface PlanCheckInput {
  config: ResolvedConfig;
  /** The run's target (jobs/verify.ts targetOf), the one its stages get. */
  target: Target;
  stages: PlannedStage[];
  secrets: ReadonlyMap<string, string>;
  imports: string[];
  grep?: string;
  shard?: { index: number; total: number };
  segment?: { index: number; total: number };
  /** Host name resolution (tests pass their own). */
  lookup?: Lookup;
}

/**
 * Everything knowable before the first request: each planned stage checks its
 * own config and files, and flags the run cannot honour are refused. Throws a
 * UsageError (exit 3) — nothing has been sent or written yet.
 */
/** Connection-string passwords are derived, not sent to the target; their URL form is redacted by shape. */
const DERIVED_PASSWORD = /^(?:DATABASE_URL|REDIS_URL)_PASSWORD$/;

/**
 * A secret shorter than MIN_SECRET_LENGTH cannot be redacted without
 * shredding every report (a password `ab` would blank each `ab`), and left
 * unredacted a target that echoes it leaks it: such a secret is refused.
 */
export function refuseShortSecrets(secrets: ReadonlyMap<string, string>): void {
  for (const [name, value] of secrets) {
    if (value.length >= MIN_SECRET_LENGTH || DERIVED_PASSWORD.test(name)) continue;
    throw new UsageError(`is ${value.length} character${value.length === 1 ? '' : 's'} long; pdv needs secrets of at least ${MIN_SECRET_LENGTH} characters to keep them out of every report (use a longer one)`, name);
  }
}

/** Every planned stage only reads its imports (and there is at least one stage). */
async function sendsNothing(loaded: readonly PlannedStage[], imports: readonly string[]): Promise<boolean> {
  if (!loaded.length || !imports.length) return false;
  const each = await Promise.all(loaded.map(async (l) => (l.stage.sendsNothing ? await l.stage.sendsNothing(imports) : false)));
  return each.every(Boolean);
}

export async function checkPlan(input: PlanCheckInput): Promise<void> {
  const { config } = input;
  const { target } = input;
  const planned = input.stages.map((s) => s.name);
  const loaded = input.stages;

  if (input.segment && !loaded.some((l) => l.stage.segments)) {
    throw new UsageError(`no planned stage can run a segment (planned: ${planned.join(', ') || 'none'})`, '--segment');
  }
  if ((input.shard || input.grep) && !loaded.some((l) => l.stage.shards)) {
    throw new UsageError(`no planned stage runs Playwright specs (planned: ${planned.join(', ') || 'none'})`, input.shard ? '--shard' : '--grep');
  }
  if (input.imports.length > 0 && !loaded.some((l) => l.stage.imports)) {
    const readers = registryOf(config).filter((s) => s.imports).map((s) => s.name);
    throw new UsageError(`imported reports are read by the ${readers.join(' or ')} stage, none of which this run includes`, '--import');
  }
  const shared = {
    settings: settingsOf(config),
    target,
    secrets: input.secrets,
    imports: input.imports,
    planned,
    ...(input.grep ? { grep: input.grep } : {}),
    ...(input.shard ? { shard: input.shard } : {}),
    ...(input.segment ? { segment: input.segment } : {}),
  };
  const env = config.environment;
  refuseShortSecrets(input.secrets);
  // A host that does not resolve is a config or runner fault: refused before any traffic.
  // A run that only reads imported results (`pdv load import-k6`) sends nothing, so needs no resolver.
  const at = `${config.file ?? 'config'}: environments.${config.environmentName}`;
  if (!(await sendsNothing(loaded, input.imports))) await refuseUnresolvable(
    [
      { url: env.baseUrl, where: `${at}.baseUrl (or --base-url / PDV_BASE_URL)` },
      ...(env.apiUrl ? [{ url: env.apiUrl, where: `${at}.apiUrl (or --api-url / API_BASE_URL)` }] : []),
    ],
    input.lookup,
  );
  // A private CA must be readable before anything is sent.
  if (env.trustedCa !== undefined) readCaFiles(caFiles(env.trustedCa, config.rootDir), `${config.file ?? 'config'}: environments.${config.environmentName}.trustedCa`);
  // Every role must be able to at least attempt its sign-in: a missing secret is the harness's input.
  const problems = planAuth(env.auth, env.credentials, input.secrets, config.rootDir);
  if (problems.length) {
    const at = `${config.file ?? 'config'}: environments.${config.environmentName}`;
    throw new UsageError(problems.map(([where, what]) => `${at}.${where}: ${what}`).join('\n'));
  }
  for (const l of loaded) {
    const ctx: PlanContext<StageSection> = { ...shared, config: l.config };
    await l.stage.plan?.(ctx);
  }
}
