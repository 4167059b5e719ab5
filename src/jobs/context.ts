import type { ResolvedConfig } from '../config/types.ts';
import type { StageEmittable } from '../core/events.ts';
import type { Redactor } from '../core/redact.ts';
import type { CheckResult, Target } from '../core/types.ts';
import type { StageContext, StageDefinition } from '../stages/stage.ts';
import { registryOf, sectionOf, settingsOf, type StageSection } from './plan.ts';

// What a stage is given when it runs (docs/architecture.md, "What a stage gets").

export interface ContextInput {
  runId: string;
  runDir: string;
  config: ResolvedConfig;
  target: Target;
  secrets: ReadonlyMap<string, string>;
  redactor: Redactor;
  imports?: string[];
  grep?: string;
  shard?: { index: number; total: number };
  segment?: { index: number; total: number };
}

/**
 * Re-verification of another copy of the target (a restored app, the
 * rolled-back release) through the registry's stage that offers it, with that
 * stage's own config; undefined when no stage offers it. The checks come back
 * unemitted, ids prefixed with `idPrefix`.
 */
export function reverifier(input: ContextInput, signal: AbortSignal): ((target: Target, idPrefix: string) => Promise<CheckResult[]>) | undefined {
  const verifier = registryOf(input.config).find((s) => s.reverify);
  if (!verifier?.reverify) return undefined;
  const verify = verifier.reverify;
  return (target, idPrefix) => verify(makeContext({ ...input, target }, { name: verifier.name, stage: verifier, config: sectionOf(input.config, verifier) }, signal, () => {}), target, idPrefix);
}

/**
 * One stage's context: its own config section, the shared settings, and a
 * way to re-verify another copy of the target through the registry's stage
 * that offers it, with that stage's config (the checks come back unemitted).
 */
export function makeContext(
  input: ContextInput,
  planned: { name: string; stage: StageDefinition; config: StageSection },
  signal: AbortSignal,
  record: (e: StageEmittable) => unknown,
): StageContext<StageSection> {
  const stage = planned.name;
  const reverify = reverifier(input, signal);
  return {
    runId: input.runId,
    runDir: input.runDir,
    config: planned.config,
    settings: settingsOf(input.config),
    target: input.target,
    ...(reverify ? { reverify } : {}),
    secrets: input.secrets,
    redactor: input.redactor,
    signal,
    imports: input.imports ?? [],
    ...(input.grep ? { grep: input.grep } : {}),
    ...(input.shard ? { shard: input.shard } : {}),
    ...(input.segment ? { segment: input.segment } : {}),
    emit: (event) => {
      record(event);
    },
    check: (check) => {
      // A failed or errored check always says why: a stage written in JavaScript may not.
      const said = (check.status === 'failed' || check.status === 'errored') && !check.message ? { ...check, message: `${check.id} ${check.status}; its stage gave no reason` } : check;
      record({ type: 'check', check: said });
    },
    progress: (message) => {
      record({ type: 'progress', stage, message });
    },
  };
}
