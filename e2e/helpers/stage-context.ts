import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AI_FILM_STUDIO } from '../../demo/target.ts';
import { configSchema, type ConfigInput } from '../../src/config/schema.ts';
import type { ResolvedConfig } from '../../src/config/types.ts';
import type { StageEmittable } from '../../src/core/events.ts';
import { Redactor } from '../../src/core/redact.ts';
import type { StageContext } from '../../src/stages/stage.ts';
import { settingsOf } from '../../src/jobs/plan.ts';
import { smokeStage } from '../../src/stages/smoke/index.ts';
import type { Artifact, CheckResult, Target } from '../../src/core/types.ts';

// Owner: smoke/UAT helper. A hand-built StageContext for driving one stage's
// run(ctx) without the CLI: it collects what the stage emits and redacts
// checks on the way in, as the orchestrator does.

export const DEMO_CREDENTIALS = {
  admin: { username: 'admin@studio.test', passwordEnv: 'DEMO_ADMIN_PASSWORD' },
  editor: { username: 'editor@studio.test', passwordEnv: 'DEMO_EDITOR_PASSWORD' },
  viewer: { username: 'viewer@studio.test', passwordEnv: 'DEMO_VIEWER_PASSWORD' },
};

/** How the demo answers (as demo/pdv.config.ts describes it): login, health, the integration path. */
export const DEMO_TARGET = AI_FILM_STUDIO;

/** Run folders this helper created in this process (removed by removeStageDirs). */
const created = new Set<string>();

/** Remove the run folders makeStageContext created (call from afterAll). */
export async function removeStageDirs(): Promise<void> {
  await Promise.all([...created].map((d) => rm(d, { recursive: true, force: true })));
  created.clear();
}

// A test hands one helper-built context to stages of every config type; the section's type is the stage's to know.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface CollectingContext<C = any> extends StageContext<C> {
  /** The whole resolved config the stage's section came from. */
  resolved: ResolvedConfig;
  events: StageEmittable[];
  checks: CheckResult[];
  artifacts: Artifact[];
  observations: Record<string, unknown>;
  abort(): void;
}

export interface StageContextOptions {
  target: Target;
  /** Secrets by env-var name (e.g. DEMO_EDITOR_PASSWORD). */
  secrets?: Record<string, string>;
  /** Config file input (stages, policy…) merged over a one-environment default. */
  config?: Omit<Partial<ConfigInput>, 'environments'>;
  /** The environment's free-form `vars`. */
  vars?: Record<string, string>;
  /** Further environment fields (auth, health, version, credentials …) over the demo's. */
  environment?: Record<string, unknown>;
  runDir?: string;
  /** The stage whose section becomes ctx.config (default: the one stage in config.stages, else smoke). */
  stage?: string;
  grep?: string;
  shard?: { index: number; total: number };
}

export async function makeStageContext(o: StageContextOptions): Promise<CollectingContext> {
  const rootDir = resolve(import.meta.dirname, '../..');
  const envName = o.target.environment;
  const input: ConfigInput = {
    ...o.config,
    environments: {
      [envName]: {
        baseUrl: o.target.baseUrl,
        ...(o.target.apiUrl ? { apiUrl: o.target.apiUrl } : {}),
        ...(o.target.expectedVersion ? { expectedVersion: o.target.expectedVersion } : {}),
        credentials: DEMO_CREDENTIALS,
        ...DEMO_TARGET,
        vars: { ...DEMO_TARGET.vars, ...(o.vars ?? {}) },
        ...(o.environment ?? {}),
      },
    },
    stages: {
      ...(o.config?.stages ?? {}),
      smoke: { testDir: 'tests/smoke', flagsMirror: 'demo/flags.production.json', login: { enabled: false }, ...(o.config?.stages?.smoke ?? {}) },
      uat: { testDir: 'tests/uat', ...(o.config?.stages?.uat ?? {}) },
    },
  };
  const parsed = configSchema.parse(input);
  const environment = parsed.environments[envName];
  if (!environment) throw new Error(`environment ${envName} missing`);
  const config: ResolvedConfig = { ...parsed, rootDir, environmentName: envName, environment, runtime: {}, env: process.env };
  const secrets = new Map(Object.entries(o.secrets ?? {}));
  const redactor = new Redactor(secrets);
  const controller = new AbortController();
  let runDir = o.runDir;
  if (!runDir) {
    runDir = await mkdtemp(join(tmpdir(), 'pdv-stage-'));
    created.add(runDir);
  }
  const events: StageEmittable[] = [];
  const checks: CheckResult[] = [];
  const artifacts: Artifact[] = [];
  const observations: Record<string, unknown> = {};
  const given = Object.keys(o.config?.stages ?? {});
  const stage = o.stage ?? (given.length === 1 ? given[0]! : 'smoke');
  const section = (config.stages as Record<string, unknown>)[stage];
  const ctx: CollectingContext = {
    runId: `test-${Date.now()}`,
    runDir,
    config: section,
    resolved: config,
    settings: settingsOf(config),
    reverify: (target, idPrefix) => smokeStage.reverify!({ ...ctx, config: config.stages.smoke }, target, idPrefix),
    target: o.target,
    secrets,
    redactor,
    signal: controller.signal,
    ...(o.grep ? { grep: o.grep } : {}),
    ...(o.shard ? { shard: o.shard } : {}),
    imports: [],
    events,
    checks,
    artifacts,
    observations,
    abort: () => controller.abort(),
    emit(event) {
      const e = event.type === 'check' ? { ...event, check: redactor.deep(event.check) } : event;
      events.push(e);
      if (e.type === 'check') checks.push(e.check);
      if (e.type === 'artifact') artifacts.push(e.artifact);
      if (e.type === 'observation') observations[e.key] = e.value;
    },
    check(check) {
      this.emit({ type: 'check', check });
    },
    progress(message) {
      events.push({ type: 'progress', stage: 'test', message });
    },
  };
  return ctx;
}
