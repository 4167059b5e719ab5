import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, UsageError } from '../core/errors.ts';
import type { RunEvent, UnstampedEvent } from '../core/events.ts';
import type { CheckResult, StageStatus } from '../core/types.ts';
import { makeContext } from './context.ts';
import type { EventLog } from '../platform/eventlog.ts';
import type { StageDefinition } from '../stages/stage.ts';
import type { ContextInput } from './context.ts';
import type { StageSection } from './plan.ts';
import { abandonAfterGrace, harnessCheck, signalName, stageStatusOf } from './stage-run.ts';
import type { Phase } from './schedule.ts';

// Runs a schedule (jobs/schedule.ts): the phases one after another, the
// stages of a phase side by side, each with its timeout, the global deadline
// and SIGINT. Events are recorded in plan order: a stage that starts ahead of
// one before it in the plan has its events held until every stage before it
// has ended, and dropped (it is reported skipped) when one of those failed
// fast — so the log and the verdict are the ones one by one gives.

export interface OrchestratorInput extends ContextInput {
  stages: Array<{ name: string; stage: StageDefinition; config: StageSection; timeoutMs: number }>;
  log: EventLog;
  /** Aborted on SIGINT: what was gathered is kept, the verdict is hold. */
  signal: AbortSignal;
  deadlineMs: number;
  failFast: boolean;
  /** Run stages side by side (config `parallel`); otherwise one at a time. */
  parallel?: boolean;
  /** At most this many stages at once when `parallel` (config `maxParallel`, default 3). */
  maxParallel?: number;
  /** Time a stage gets to wind down after its signal is aborted before it is abandoned. */
  graceMs?: number;
  now?: () => number;
}

export interface OrchestratorResult {
  interrupted: boolean;
  reason?: string;
}

/** Why a running stage was stopped: its own timeout, the global deadline, SIGINT, fail-fast elsewhere, or a usage error elsewhere. */
type StopWhy = 'timeout' | 'deadline' | 'sigint' | 'failfast' | 'usage';

interface Running {
  readonly index: number;
  readonly controller: AbortController;
  /** Its own checks (stages interleave: the log's order says nothing about whose a check is). */
  readonly mine: CheckResult[];
  why?: StopWhy;
  /** The stage.end message when another stage's fail-fast or usage error stopped it. */
  stoppedBy?: string;
}

/** A stage's event as recorded (stamped, redacted), by its plan index. */
export type StageListener = (index: number, event: RunEvent) => void;

const iso = (ms: number) => new Date(ms).toISOString();

export class Executor {
  /** Per plan index: not started, started (running, or ended with its events held), or ended and recorded. */
  private readonly state: Array<'pending' | 'started' | 'ended'>;
  private readonly running = new Map<number, Running>();
  private readonly held = new Map<number, RunEvent[]>();
  /** Ran ahead and was dropped after an earlier fail-fast: whatever it still emits is ignored. */
  private readonly dropped = new Set<number>();
  private readonly listeners: StageListener[] = [];
  /** Each stage's first critical rollback-failure: a stage is skipped for the earliest one before it in the plan. */
  private readonly failFasts: Array<{ index: number; reason: string }> = [];
  /** SIGINT or the global deadline: everything not started is interrupted. */
  private stopReason: string | undefined;
  private interrupted = false;
  /** A usage error (or a broken event log) ends the run once the running stages have wound down. */
  private fatal: { err: unknown } | undefined;
  private readonly now: () => number;
  private readonly deadlineAt: number;

  constructor(private readonly input: OrchestratorInput) {
    this.now = input.now ?? Date.now;
    this.deadlineAt = this.now() + input.deadlineMs;
    this.state = input.stages.map(() => 'pending');
  }

  /** Every event a stage records (held ones too), as it is recorded. */
  subscribe(listener: StageListener): void {
    this.listeners.push(listener);
  }

  /** A critical failure at `index`: the running stages after it stop, the ones not started are skipped; the ones before it finish, as one by one. */
  failFast(index: number, checkId: string): void {
    this.failFasts.push({ index, reason: `skipped: fail-fast after critical check ${checkId} failed` });
    for (const r of this.running.values()) if (r.index > index) this.stop(r, 'failfast', `stopped: fail-fast after critical check ${checkId} failed`);
  }

  async run(phases: readonly Phase[]): Promise<OrchestratorResult> {
    for (const phase of phases) {
      if (this.fatal) break;
      // Started in plan order, synchronously up to each stage's first await: whether one runs ahead is known as it starts.
      await Promise.all(phase.map((i) => this.startOrSkip(i)));
    }
    if (this.fatal) throw this.fatal.err;
    const reason = this.stopReason ?? this.firstFailFast()?.reason;
    return { interrupted: this.interrupted, ...(reason ? { reason } : {}) };
  }

  private firstFailFast(before = Infinity): { index: number; reason: string } | undefined {
    return this.failFasts.filter((f) => f.index < before).sort((a, b) => a.index - b.index)[0];
  }

  private async startOrSkip(i: number): Promise<void> {
    const ff = this.firstFailFast(i);
    if (this.stopReason || ff) return this.skip(i, this.stopReason ? 'interrupted' : 'skipped', this.stopReason ?? ff!.reason);
    if (this.input.signal.aborted || this.now() >= this.deadlineAt) {
      this.interrupted = true;
      this.stopReason = this.input.signal.aborted ? `interrupted (${signalName(this.input.signal)})` : 'global deadline reached';
      return this.skip(i, 'interrupted', this.stopReason);
    }
    const r: Running = { index: i, controller: new AbortController(), mine: [] };
    this.running.set(i, r);
    this.begin(i);
    try {
      await this.runStage(r);
    } catch (err) {
      this.fatal ??= { err };
      this.stopAll(r, `stopped: ${errorMessage(err)}`);
    } finally {
      this.running.delete(i);
      this.end(i);
    }
  }

  private skip(i: number, status: StageStatus, message: string): void {
    this.begin(i);
    this.record(i, { type: 'stage.end', stage: { name: this.input.stages[i]!.name, status, durationMs: 0, message } });
    this.end(i);
  }

  /** Started: ahead of a stage before it in the plan that has not started, its events are held. */
  private begin(i: number): void {
    if (this.state.slice(0, i).includes('pending')) this.held.set(i, []);
    this.state[i] = 'started';
  }

  private end(i: number): void {
    if (!this.held.has(i)) this.state[i] = 'ended';
    this.release();
  }

  /** Held stages whose predecessors have all ended: recorded, or dropped (skipped) after an earlier fail-fast. */
  private release(): void {
    for (const [i, events] of [...this.held].sort((a, b) => a[0] - b[0])) {
      if (this.state.slice(0, i).some((st) => st !== 'ended')) continue;
      this.held.delete(i);
      const ff = this.firstFailFast(i);
      if (ff) {
        this.dropped.add(i);
        this.input.log.append({ at: iso(this.now()), type: 'stage.end', stage: { name: this.input.stages[i]!.name, status: 'skipped', durationMs: 0, message: ff.reason } });
      } else {
        for (const e of events) this.input.log.append(e);
      }
      if (!this.running.has(i)) this.state[i] = 'ended';
    }
  }

  /** A stage's own event: to the log, or held while it runs ahead (stamped now, redacted as the log would); then to the subscribers. */
  private record(i: number, e: UnstampedEvent): void {
    if (this.dropped.has(i)) return;
    const r = this.running.get(i);
    // After another stage's fail-fast or usage error stopped it, a stage's checks are the abort's doing (a request cut short is no missing header).
    if (e.type === 'check' && (r?.why === 'failfast' || r?.why === 'usage')) return;
    const stamped = { at: iso(this.now()), ...e } as RunEvent;
    const held = this.held.get(i);
    if (held) held.push(stamped);
    const clean = held ? this.input.redactor.deep(stamped) : this.input.log.append(stamped);
    if (clean.type === 'check') r?.mine.push(clean.check);
    for (const listener of this.listeners) listener(i, clean);
  }

  private stop(r: Running, why: StopWhy, message?: string): void {
    if (r.why) return; // the first reason stands
    r.why = why;
    r.stoppedBy = message;
    r.controller.abort(new Error(why === 'sigint' ? signalName(this.input.signal) : why));
  }

  /** A usage error stops every other running stage. */
  private stopAll(from: Running, message: string): void {
    for (const r of this.running.values()) if (r !== from) this.stop(r, 'usage', message);
  }

  /** One stage: its run under its timeout, the deadline and SIGINT, then its stage.end (and the check for unfinished work). */
  private async runStage(r: Running): Promise<void> {
    const planned = this.input.stages[r.index]!;
    const started = this.now();
    this.record(r.index, { type: 'stage.start', stage: planned.name });
    const left = this.deadlineAt - started;
    const timer = setTimeout(() => this.stop(r, planned.timeoutMs <= left ? 'timeout' : 'deadline'), Math.max(0, Math.min(planned.timeoutMs, left)));
    const onParentAbort = () => this.stop(r, 'sigint');
    this.input.signal.addEventListener('abort', onParentAbort, { once: true });
    let crashed: string | undefined;
    try {
      mkdirSync(join(this.input.runDir, planned.name), { recursive: true });
      const ctx = makeContext(this.input, planned, r.controller.signal, (e) => this.record(r.index, e));
      await abandonAfterGrace(planned.stage.run(ctx), r.controller.signal, this.input.graceMs ?? 5_000);
    } catch (err) {
      if (err instanceof UsageError) {
        this.fatal ??= { err };
        this.stopAll(r, `stopped: usage error in ${planned.name}`);
        return;
      }
      crashed = errorMessage(err);
    } finally {
      clearTimeout(timer);
      this.input.signal.removeEventListener('abort', onParentAbort);
    }
    const { status, message } = this.outcome(r, crashed, started);
    this.record(r.index, { type: 'stage.end', stage: { name: planned.name, status, durationMs: this.now() - started, ...(message ? { message } : {}) } });
  }

  /** How a stage ended: stopped for another's reason, stopped for its own (missing evidence), crashed, or by its own checks. */
  private outcome(r: Running, crashed: string | undefined, started: number): { status: StageStatus; message?: string } {
    const { name, timeoutMs } = this.input.stages[r.index]!;
    const why = r.why;
    // Stopped for another stage's reason, like the stages it skips: what it found before stays, nothing is missing evidence.
    if (why === 'failfast' || why === 'usage') return { status: 'skipped', ...(r.stoppedBy ? { message: r.stoppedBy } : {}) };
    if (why) {
      const message = why === 'sigint' ? `interrupted (${signalName(this.input.signal)})` : why === 'deadline' ? 'global deadline reached' : `stage timed out after ${Math.round(timeoutMs / 1000)}s`;
      // The stage's unfinished work is missing evidence.
      this.record(r.index, { type: 'check', check: harnessCheck(name, 'incomplete', `${name} did not finish: ${message}`, this.now() - started) });
      if (why !== 'timeout') {
        this.interrupted = true;
        this.stopReason ??= message;
      }
      return { status: why === 'sigint' ? 'interrupted' : 'timedout', message };
    }
    if (crashed !== undefined) {
      this.record(r.index, { type: 'check', check: harnessCheck(name, 'harness', `the ${name} stage crashed: ${crashed}`, this.now() - started) });
      return { status: 'errored', message: crashed };
    }
    return { status: stageStatusOf(r.mine) };
  }
}
