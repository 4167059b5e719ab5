import type { StageDefinition } from '../stages/stage.ts';
import type { StageSection } from './plan.ts';

// When each planned stage runs, computed before the run from what the stages
// declare (StageDefinition.dependsOn / alone) — pure data, table-tested in
// schedule.test.ts; jobs/orchestrate.ts runs it (docs/architecture.md).

/** What the schedule needs to know of a planned stage. */
export interface ScheduleEntry {
  name: string;
  /** Nothing else runs while it runs. */
  alone: boolean;
  /** The stages that must have ended before it starts; undefined: the stages before it in the plan that run alone. */
  dependsOn?: readonly string[];
}

export interface ScheduleOptions {
  parallel: boolean;
  /** At most this many stages in one phase (config `maxParallel`). */
  maxParallel: number;
}

/** Phases run one after another; the stages of a phase run side by side. Each phase lists plan indexes, in plan order. */
export type Phase = number[];

/** A planned stage's entry: its flags, its needs decided from its own section. */
export function scheduleEntry(planned: { name: string; stage: StageDefinition; config: StageSection }): ScheduleEntry {
  const { dependsOn } = planned.stage;
  const needs = typeof dependsOn === 'function' ? dependsOn(planned.config) : dependsOn;
  return { name: planned.name, alone: planned.stage.alone === true, ...(needs ? { dependsOn: needs } : {}) };
}

/**
 * The stages each one waits for: the ones it depends on that are planned
 * before it (a need planned after it, or not planned, is ignored: the plan
 * order stands, as one by one would run it).
 */
export function needsOf(plan: readonly ScheduleEntry[]): Array<Set<number>> {
  return plan.map((entry, i) => {
    const before = plan.slice(0, i);
    const wanted = entry.dependsOn ?? before.filter((b) => b.alone).map((b) => b.name);
    return new Set(before.flatMap((b, j) => (wanted.includes(b.name) ? [j] : [])));
  });
}

/**
 * The phases of a run. Without `parallel`, one stage per phase in plan order.
 * With it, each phase starts from the first stage not yet scheduled (it is
 * always ready: everything before it is scheduled): an alone stage is a phase
 * by itself; otherwise the phase takes, in plan order, every stage not alone
 * whose needs are in earlier phases, up to `maxParallel`. So a stage may run
 * ahead of one before it in the plan (dr, needing only smoke, beside uat and
 * before load); the executor still records its events in plan order.
 */
export function schedule(plan: readonly ScheduleEntry[], options: ScheduleOptions): Phase[] {
  if (!options.parallel) return plan.map((_, i) => [i]);
  const limit = Math.max(1, options.maxParallel);
  const needs = needsOf(plan);
  const done = new Set<number>();
  const phases: Phase[] = [];
  while (done.size < plan.length) {
    const ready = plan.flatMap((_, i) => (!done.has(i) && [...needs[i]!].every((n) => done.has(n)) ? [i] : []));
    const first = ready[0]!;
    const phase = plan[first]!.alone ? [first] : ready.filter((i) => !plan[i]!.alone).slice(0, limit);
    for (const i of phase) done.add(i);
    phases.push(phase);
  }
  return phases;
}
