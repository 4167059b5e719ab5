import { relative } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import type { PlanContext } from '../stage.ts';
import type { Target } from '../../core/types.ts';
import type { Environ, RunSettings } from '../../target/settings.ts';
import { isK6SummaryFile } from '../../load/k6-import.ts';
import { isK6RawFile } from '../../load/k6-raw.ts';
import { origins } from '../../load/prepare.ts';
import { assertHostsAllowed, assertWithinCaps } from '../../load/safety.ts';
import { loadScenarioFile, NO_SCENARIO, type LoadedScenario } from '../../load/scenario-file.ts';
import { executorDurationMs, rolesUsed, type ExecutorSpec } from '../../load/scenario.ts';
import { peakRatePerSecond } from '../../load/schedule.ts';
import type { LoadConfig } from './config.ts';

// Everything a load run needs is checked before the first request of any
// stage: the scenario module loads and validates (thresholds included), every
// origin is on the allow-list, the plan is under the caps, and every role it
// names has credentials. The run repeats the same checks (nothing is sent
// unless they hold), so a run without a plan is just as safe.

export interface LoadPlan {
  loaded: LoadedScenario;
  /** The scenario file relative to the config, for messages and checks. */
  fileLabel: string;
  /** Executors with the configured duration override applied. */
  specs: ExecutorSpec[];
  apiUrl?: string;
}

export async function resolveLoadPlan(cfg: LoadConfig, config: RunSettings, target: Pick<Target, 'baseUrl' | 'apiUrl'>): Promise<LoadPlan> {
  const file = config.file ?? 'config';
  if (!cfg.scenario) throw new UsageError(NO_SCENARIO, file);
  const loaded = await loadScenarioFile(cfg.scenario, config.rootDir);
  const fileLabel = relative(config.rootDir, loaded.file) || loaded.file;
  const sc = loaded.scenario;
  const env = config.environment;
  const apiUrl = target.apiUrl ?? env.apiUrl;
  const specs = Object.values(sc.scenarios).map((s) => (s.executor === 'constant-arrival-rate' && cfg.duration ? { ...s, duration: cfg.duration } : s));
  // Safety first: nothing is sent (not even a login) unless every origin is allowed and the plan is under the caps.
  assertHostsAllowed(origins({ scenario: sc, baseUrl: target.baseUrl, ...(apiUrl ? { apiUrl } : {}) }), env.allowedHosts, `${fileLabel} (environment.allowedHosts)`);
  assertWithinCaps(
    {
      peakRate: specs.reduce((a, s) => a + peakRatePerSecond(s), 0),
      durationMs: Math.max(...specs.map(executorDurationMs)),
      connections: specs.reduce((a, s) => a + s.connections, 0),
      inFlight: specs.reduce((a, s) => a + s.maxInFlight, 0),
    },
    { maxRate: cfg.caps.maxRate, maxDurationMs: cfg.caps.maxDuration, maxConnections: cfg.caps.maxConnections },
    `${fileLabel} (stages.load.caps)`,
  );
  return { loaded, fileLabel, specs, ...(apiUrl ? { apiUrl } : {}) };
}

/** Roles the scenario logs in as: each needs credentials and its password in the environment. */
function checkRoles(plan: LoadPlan, ctx: PlanContext<LoadConfig>, env: NodeJS.ProcessEnv): void {
  const credentials = ctx.settings.environment.credentials;
  for (const role of rolesUsed(plan.loaded.scenario)) {
    const cred = credentials[role];
    if (!cred) {
      throw new UsageError(`the scenario logs in as role "${role}", which has no credentials (known: ${Object.keys(credentials).join(', ') || 'none'})`, `${plan.fileLabel} (environment.credentials)`);
    }
    // Without a login of its own the scenario uses the environment's shared login (checked by planAuth).
    if (!plan.loaded.scenario.login) {
      if (!ctx.settings.environment.auth && !cred.tokenEnv && !cred.cookieEnv) {
        throw new UsageError(`role "${role}" has no way to sign in: give the scenario a login or the environment an auth`, `${plan.fileLabel} (environment.auth)`);
      }
      continue;
    }
    // The scenario's own login posts a username and a password.
    if (!cred.username || !cred.passwordEnv) {
      throw new UsageError(`role "${role}" needs username and passwordEnv for the scenario's login`, `${plan.fileLabel} (environment.credentials.${role})`);
    }
    if (!(ctx.secrets.get(cred.passwordEnv) ?? env[cred.passwordEnv])) {
      throw new UsageError(`role "${role}" needs its password: ${cred.passwordEnv} is not set`, `${plan.fileLabel} (environment.credentials.${role}.passwordEnv)`);
    }
  }
}

/** `pdv load import-k6` / `--import`: k6 summaries or raw outputs become the checks, and no scenario runs here. */
export function importsOnly(imports: readonly string[]): boolean {
  return imports.some((f) => isK6SummaryFile(f) || isK6RawFile(f));
}

export async function planLoad(ctx: PlanContext<LoadConfig>, env: Environ = ctx.settings.env): Promise<void> {
  // `pdv load import-k6` / `--import summary.json`: k6's results become the checks, no scenario runs here.
  if (ctx.imports.some(isK6SummaryFile)) return;
  // Raw k6 output is judged against the scenario's thresholds: the scenario must load, nothing is sent.
  if (ctx.imports.some(isK6RawFile)) {
    if (!ctx.config.scenario) throw new UsageError(`${NO_SCENARIO} (raw k6 output is judged against the thresholds of the scenario it was exported from)`, ctx.settings.file ?? 'config');
    await loadScenarioFile(ctx.config.scenario, ctx.settings.rootDir);
    return;
  }
  const plan = await resolveLoadPlan(ctx.config, ctx.settings, ctx.target);
  checkRoles(plan, ctx, env);
}
