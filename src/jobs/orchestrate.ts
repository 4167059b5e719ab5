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
  /** Run stages side by side (config `parallel`); otherwise one at a time. */
  parallel?: boolean;
  /** At most this many stages at once when `parallel` (config `maxParallel`, default 3). */
  maxParallel?: number;
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

type PlannedInput = OrchestratorInput['stages'][number];
/** Why a running stage was stopped: its own timeout, the global deadline, SIGINT, fail-fast elsewhere, or a usage error elsewhere. */
type StopWhy = 'timeout' | 'deadline' | 'sigint' | 'failfast' | 'usage';

interface RunningStage {
  /** Place in the plan: fail-fast stops only the stages after the one that failed. */
  readonly index: number;
  readonly alone: boolean;
  why?: StopWhy;
  /** The stage.end message when another stage's fail-fast or usage error stopped this one. */
  stoppedBy?: string;
  /** Its own first critical rollback-failure was seen (it fails fast once). */
  failedFast?: boolean;
  /**
   * Started ahead of its turn (a speculative stage): its events wait here until every
   * stage before it has ended, and are dropped when one of those failed fast.
   */
  held?: RunEvent[];
  /** Dropped: reported skipped as one by one would; whatever it still emits is ignored. */
  discarded?: boolean;
  stop(why: StopWhy, message?: string): void;
  done: Promise<void>;
}

/** Whether a planned stage may run ahead of its turn (StageDefinition.speculative). */
function speculative(p: PlannedInput): boolean {
  return p.stage.speculative?.(p.config) === true;
}

/** The signal that interrupted the run (the CLI aborts with an Error named for it), SIGINT when it does not say. */
function signalName(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  const message = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : '';
  return /^SIG[A-Z]+$/.test(message) ? message : 'SIGINT';
}

/**
 * Runs the planned stages: per-stage timeouts, a global deadline, SIGINT,
 * fail-fast. Stages start in plan order. With `parallel`, a stage starts
 * beside the running ones (at most `maxParallel`), except that a gate or an
 * exclusive stage waits until nothing runs and nothing starts while it runs;
 * without it, one stage at a time. A speculative stage may also start ahead
 * of stages still waiting for their turn (not of a gate): its events are held
 * until every stage before it has ended. A critical rollback-failure stops
 * the running stages that come after the one that found it in the plan (the
 * ones before it finish, as they would one by one) and skips the rest; a
 * speculative stage after it that ran ahead is dropped and reported skipped.
 * So the checks and the verdict are the ones one-by-one would give.
 */
export async function orchestrate(input: OrchestratorInput): Promise<OrchestratorResult> {
  const now = input.now ?? Date.now;
  const started = now();
  const deadlineAt = started + input.deadlineMs;
  const grace = input.graceMs ?? 5_000;
  const limit = input.parallel ? Math.max(1, input.maxParallel ?? 3) : 1;
  const rules = { overrides: input.config.policy.overrides, quarantine: input.config.quarantine };
  const runAt = new Date(started);
  const running = new Map<string, RunningStage>();
  const stages = input.stages;
  /** Per plan index: not started yet, started (running, or ended but held), or ended and recorded. */
  const state: Array<'pending' | 'started' | 'ended'> = stages.map(() => 'pending');
  const byIndex = new Map<number, RunningStage>();
  /** Each stage's first critical rollback-failure: a stage is skipped for the earliest one before it in the plan. */
  const failFasts: Array<{ index: number; reason: string }> = [];
  const failFastBefore = (index: number) => failFasts.filter((f) => f.index < index).sort((a, b) => a.index - b.index)[0];
  /** SIGINT or the global deadline: everything not started is interrupted. */
  let stopReason: string | undefined;
  let interrupted = false;
  // A usage error (or a broken event log) ends the run once the running stages have wound down.
  let fatal: { err: unknown } | undefined;

  const append = (e: UnstampedEvent): RunEvent => input.log.append({ at: iso(now()), ...e } as RunEvent);
  /** A stage's own event: to the log, or held while the stage runs ahead of its turn (stamped now, redacted as the log would). */
  const emitFor = (r: RunningStage, e: UnstampedEvent): RunEvent | undefined => {
    if (r.discarded) return undefined;
    if (!r.held) return append(e);
    const stamped = { at: iso(now()), ...e } as RunEvent;
    r.held.push(stamped);
    return input.redactor.deep(stamped);
  };
  /** Held stages whose predecessors have all ended: flushed to the log, or dropped (skipped) after an earlier fail-fast. */
  const release = () => {
    for (const [index, r] of [...byIndex].sort((a, b) => a[0] - b[0])) {
      if (!r.held || state.slice(0, index).some((st) => st !== 'ended')) continue;
      const events = r.held;
      delete r.held;
      const ff = failFastBefore(index);
      if (ff) {
        r.discarded = true;
        append({ type: 'stage.end', stage: { name: stages[index]!.name, status: 'skipped', durationMs: 0, message: ff.reason } });
      } else {
        for (const e of events) input.log.append(e);
      }
      if (!running.has(stages[index]!.name)) state[index] = 'ended';
    }
  };
  const alone = (p: PlannedInput) => !input.parallel || p.stage.gate === true || p.stage.exclusive === true;
  /** Fail-fast stops what comes after `from` in the plan (what is before it finishes, as it would one by one); a usage error stops all. */
  const stopOthers = (from: RunningStage, why: 'failfast' | 'usage', message: string) => {
    for (const r of running.values()) if (r !== from && (why === 'usage' || r.index > from.index)) r.stop(why, message);
  };

  const runStage = async (planned: PlannedInput, r: RunningStage, controller: AbortController): Promise<void> => {
    const stageStart = now();
    // This stage's own checks (stages interleave: the log's order says nothing about whose a check is).
    const mine: CheckResult[] = [];
    const record = (e: UnstampedEvent): void => {
      // After another stage's fail-fast or usage error stopped it, a stage's checks are the abort's doing (a request cut short is no missing header).
      if (e.type === 'check' && (r.why === 'failfast' || r.why === 'usage')) return;
      const clean = emitFor(r, e);
      if (clean?.type === 'check') {
        mine.push(clean.check);
        if (!r.failedFast && input.failFast && isCriticalRollbackFailure(applyRules(clean.check, rules, runAt), input.config.policy)) {
          r.failedFast = true;
          failFasts.push({ index: r.index, reason: `skipped: fail-fast after critical check ${clean.check.id} failed` });
          // The stage that found it finishes its own work, as it would alone.
          stopOthers(r, 'failfast', `stopped: fail-fast after critical check ${clean.check.id} failed`);
        }
      }
    };
    const budget = Math.max(0, Math.min(planned.timeoutMs, deadlineAt - stageStart));
    const timer = setTimeout(() => r.stop(planned.timeoutMs <= deadlineAt - stageStart ? 'timeout' : 'deadline'), budget);
    const onParentAbort = () => r.stop('sigint');
    input.signal.addEventListener('abort', onParentAbort, { once: true });

    let status: StageStatus = 'passed';
    let message: string | undefined;
    try {
      mkdirSync(join(input.runDir, planned.name), { recursive: true });
      const ctx = makeContext(input, planned, controller.signal, record);
      await abandonAfterGrace(planned.stage.run(ctx), controller.signal, grace);
    } catch (err) {
      if (err instanceof UsageError) {
        fatal ??= { err };
        stopOthers(r, 'usage', `stopped: usage error in ${planned.name}`);
        return;
      }
      status = 'errored';
      message = errorMessage(err);
    } finally {
      clearTimeout(timer);
      input.signal.removeEventListener('abort', onParentAbort);
    }

    const why = r.why;
    if (why === 'failfast' || why === 'usage') {
      // Stopped for another stage's reason, like the stages it skips: what it found before stays, nothing is missing evidence.
      status = 'skipped';
      message = r.stoppedBy;
    } else if (why) {
      status = why === 'sigint' ? 'interrupted' : 'timedout';
      message =
        why === 'sigint'
          ? `interrupted (${signalName(input.signal)})`
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
        stopReason ??= message;
      }
    } else if (status === 'errored') {
      record({
        type: 'check',
        check: harnessCheck(planned.name, 'harness', `the ${planned.name} stage crashed: ${message}`, now() - stageStart),
      });
    } else {
      status = stageStatusOf(mine);
    }
    record({ type: 'stage.end', stage: { name: planned.name, status, durationMs: now() - stageStart, ...(message ? { message } : {}) } });
  };

  const start = (planned: PlannedInput, index: number, ahead: boolean): void => {
    const controller = new AbortController();
    const r: RunningStage = {
      index,
      alone: alone(planned),
      ...(ahead ? { held: [] } : {}),
      stop(why, message) {
        if (r.why) return; // the first reason stands
        r.why = why;
        r.stoppedBy = message;
        controller.abort(new Error(why === 'sigint' ? signalName(input.signal) : why));
      },
      done: Promise.resolve(),
    };
    running.set(planned.name, r);
    byIndex.set(index, r);
    state[index] = 'started';
    emitFor(r, { type: 'stage.start', stage: planned.name });
    r.done = runStage(planned, r, controller)
      .catch((err: unknown) => {
        fatal ??= { err };
        stopOthers(r, 'usage', `stopped: ${errorMessage(err)}`);
      })
      .finally(() => {
        running.delete(planned.name);
        if (!r.held) state[index] = 'ended';
      });
  };
  const gateBefore = (index: number) => stages.slice(0, index).some((p, j) => p.stage.gate === true && state[j] !== 'ended');

  const skip = (index: number, status: StageStatus, message: string) => {
    append({ type: 'stage.end', stage: { name: stages[index]!.name, status, durationMs: 0, message } });
    state[index] = 'ended';
  };
  for (;;) {
    release();
    // Start whatever may start now: in plan order, a speculative stage also ahead of its turn.
    for (let i = 0; i < stages.length && !fatal; i++) {
      if (state[i] !== 'pending') continue;
      const planned = stages[i]!;
      const ahead = state.slice(0, i).includes('pending');
      const ff = failFastBefore(i);
      if (!ahead && (stopReason || ff)) {
        skip(i, stopReason && interrupted ? 'interrupted' : 'skipped', stopReason ?? ff!.reason);
      } else if (!ahead && (input.signal.aborted || now() >= deadlineAt)) {
        interrupted = true;
        stopReason = input.signal.aborted ? `interrupted (${signalName(input.signal)})` : 'global deadline reached';
        skip(i, 'interrupted', stopReason);
      } else if (ahead && !(input.parallel && speculative(planned) && !gateBefore(i) && !stopReason && !ff)) {
        continue; // waits for its turn
      } else {
        const busy = [...running.values()];
        // Busy: it waits; a speculative stage after it may still start.
        if (busy.length > 0 && (alone(planned) || busy.some((b) => b.alone) || busy.length >= limit)) continue;
        start(planned, i, ahead);
      }
    }
    if (fatal) {
      // A usage error: the running stages wind down; nothing more starts.
      for (let i = 0; i < stages.length; i++) if (state[i] === 'pending') state[i] = 'ended';
    }
    if (running.size === 0) {
      release();
      if (!state.includes('pending')) break;
      continue;
    }
    await Promise.race([...running.values()].map((r) => r.done));
  }
  if (fatal) throw fatal.err;

  const reason = stopReason ?? failFasts.sort((a, b) => a.index - b.index)[0]?.reason;
  return { interrupted, ...(reason ? { reason } : {}) };
}

export type ContextInput = Pick<OrchestratorInput, 'runId' | 'runDir' | 'config' | 'target' | 'secrets' | 'redactor' | 'imports' | 'grep' | 'shard' | 'segment'>;

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
