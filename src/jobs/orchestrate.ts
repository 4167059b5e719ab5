import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/types.ts';
import { errorMessage, UsageError } from '../core/errors.ts';
import type { EventLog } from '../core/eventlog.ts';
import type { RunEvent, StageEmittable, UnstampedEvent } from '../core/events.ts';
import { isCriticalRollbackFailure } from '../core/policy.ts';
import type { Redactor } from '../core/redact.ts';
import type { StageContext, StageDefinition } from '../stages/stage.ts';
import { registryOf, sectionOf, settingsOf, type StageSection } from './plan.ts';
import type { CheckResult, StageStatus, Target } from '../core/types.ts';
import { applyRules } from '../core/verdict.ts';

export interface OrchestratorInput {
  runId: string;
  runDir: string;
  config: ResolvedConfig;
  target: Target;
  stages: Array<{ name: string; stage: StageDefinition; config: StageSection; timeoutMs: number }>;
  log: EventLog;
  redactor: Redactor;
  secrets: ReadonlyMap<string, string>;
  /** Aborted on SIGINT: what was gathered is kept, the verdict is hold. */
  signal: AbortSignal;
  deadlineMs: number;
  failFast: boolean;
  grep?: string;
  shard?: { index: number; total: number };
  segment?: { index: number; total: number };
  imports?: string[];
  /** Time a stage gets to wind down after its signal is aborted before it is abandoned. */
  graceMs?: number;
  now?: () => number;
}

export interface OrchestratorResult {
  interrupted: boolean;
  reason?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Runs the planned stages in order: per-stage timeouts, a global deadline, SIGINT, fail-fast. */
export async function orchestrate(input: OrchestratorInput): Promise<OrchestratorResult> {
  const now = input.now ?? Date.now;
  const started = now();
  const deadlineAt = started + input.deadlineMs;
  const grace = input.graceMs ?? 5_000;
  const emitted: CheckResult[] = [];
  const rules = { overrides: input.config.policy.overrides, quarantine: input.config.quarantine };
  const runAt = new Date(started);
  let stopReason: string | undefined;
  let interrupted = false;

  const record = (e: UnstampedEvent): RunEvent => {
    const event = { at: iso(now()), ...e } as RunEvent;
    const clean = input.log.append(event);
    if (clean.type === 'check') emitted.push(clean.check);
    return clean;
  };

  for (const planned of input.stages) {
    if (stopReason) {
      record({
        type: 'stage.end',
        stage: { name: planned.name, status: interrupted ? 'interrupted' : 'skipped', durationMs: 0, message: stopReason },
      });
      continue;
    }
    if (input.signal.aborted || now() >= deadlineAt) {
      interrupted = true;
      stopReason = input.signal.aborted ? 'interrupted (SIGINT)' : 'global deadline reached';
      record({ type: 'stage.end', stage: { name: planned.name, status: 'interrupted', durationMs: 0, message: stopReason } });
      continue;
    }

    const stageStart = now();
    record({ type: 'stage.start', stage: planned.name });
    const controller = new AbortController();
    const budget = Math.max(0, Math.min(planned.timeoutMs, deadlineAt - stageStart));
    let why: 'timeout' | 'deadline' | 'sigint' | undefined;
    const timer = setTimeout(() => {
      why = planned.timeoutMs <= deadlineAt - stageStart ? 'timeout' : 'deadline';
      controller.abort(new Error(why));
    }, budget);
    const onParentAbort = () => {
      why = 'sigint';
      controller.abort(new Error('SIGINT'));
    };
    input.signal.addEventListener('abort', onParentAbort, { once: true });
    const before = emitted.length;

    let status: StageStatus = 'passed';
    let message: string | undefined;
    try {
      mkdirSync(join(input.runDir, planned.name), { recursive: true });
      const ctx = makeContext(input, planned, controller.signal, record);
      await abandonAfterGrace(planned.stage.run(ctx), controller.signal, grace);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      status = 'errored';
      message = errorMessage(err);
    } finally {
      clearTimeout(timer);
      input.signal.removeEventListener('abort', onParentAbort);
    }

    if (why) {
      status = why === 'sigint' ? 'interrupted' : 'timedout';
      message =
        why === 'sigint'
          ? 'interrupted (SIGINT)'
          : why === 'deadline'
            ? 'global deadline reached'
            : `stage timed out after ${Math.round(planned.timeoutMs / 1000)}s`;
      // The stage's unfinished work is missing evidence.
      record({
        type: 'check',
        check: harnessCheck(planned.name, 'incomplete', `${planned.name} did not finish: ${message}`, now() - stageStart),
      });
      if (why !== 'timeout') {
        interrupted = true;
        stopReason = message;
      }
    } else if (status === 'errored') {
      record({
        type: 'check',
        check: harnessCheck(planned.name, 'harness', `the ${planned.name} stage crashed: ${message}`, now() - stageStart),
      });
    } else {
      status = stageStatusOf(emitted.slice(before));
    }
    record({ type: 'stage.end', stage: { name: planned.name, status, durationMs: now() - stageStart, ...(message ? { message } : {}) } });

    if (!stopReason && input.failFast) {
      const trigger = emitted
        .slice(before)
        .map((c) => applyRules(c, rules, runAt))
        .find((c) => isCriticalRollbackFailure(c, input.config.policy));
      if (trigger) stopReason = `skipped: fail-fast after critical check ${trigger.id} failed`;
    }
  }

  return { interrupted, ...(stopReason ? { reason: stopReason } : {}) };
}

export type ContextInput = Pick<OrchestratorInput, 'runId' | 'runDir' | 'config' | 'target' | 'secrets' | 'redactor' | 'imports' | 'grep' | 'shard' | 'segment'>;

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
  const verifier = registryOf(input.config).find((s) => s.reverify);
  const reverify = verifier?.reverify
    ? (target: Target, idPrefix: string) =>
        verifier.reverify!(makeContext(input, { name: verifier.name, stage: verifier, config: sectionOf(input.config, verifier) }, signal, () => {}), target, idPrefix)
    : undefined;
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
      record({ type: 'check', check });
    },
    progress: (message) => {
      record({ type: 'progress', stage, message });
    },
  };
}

/** A stage passed only on evidence: failed wins, then errored, and all-skipped is skipped. */
export function stageStatusOf(checks: readonly CheckResult[]): StageStatus {
  if (checks.some((c) => c.status === 'failed')) return 'failed';
  if (checks.some((c) => c.status === 'errored')) return 'errored';
  if (checks.length > 0 && checks.every((c) => c.status === 'skipped')) return 'skipped';
  return 'passed';
}

function harnessCheck(stage: string, slug: string, message: string, durationMs: number): CheckResult {
  return {
    id: `${stage}.${slug}`,
    stage,
    title: `${stage} stage completed`,
    severity: 'critical',
    status: 'errored',
    message,
    durationMs,
    attempts: 1,
    evidence: [],
  };
}

/** A stage that ignores its abort signal is abandoned after a grace period rather than hanging the run. */
async function abandonAfterGrace(work: Promise<void>, signal: AbortSignal, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const abandoned = new Promise<void>((resolve) => {
    const onAbort = () => {
      timer = setTimeout(resolve, graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([work.catch((err: unknown) => {
      if (signal.aborted) return; // errors after abort are the abort's doing
      throw err;
    }), abandoned]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
