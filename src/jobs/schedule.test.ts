import { describe, expect, it } from 'vitest';
import { stageRegistry } from '../stages/index.ts';
import { schedule, scheduleEntry, type ScheduleEntry } from './schedule.ts';
import type { StageSection } from './plan.ts';

// Issue 26 item 1: the schedule is data, computed before the run.

const smoke: ScheduleEntry = { name: 'smoke', alone: true, dependsOn: [] };
const uat: ScheduleEntry = { name: 'uat', alone: false };
const security: ScheduleEntry = { name: 'security', alone: false };
const load: ScheduleEntry = { name: 'load', alone: true };
const dr: ScheduleEntry = { name: 'dr', alone: false, dependsOn: ['smoke'] };
const metrics: ScheduleEntry = { name: 'metrics', alone: false };
const plain = (name: string): ScheduleEntry => ({ name, alone: false });

/** Phases as names, for reading. */
const named = (plan: ScheduleEntry[], parallel: boolean, maxParallel = 3) => schedule(plan, { parallel, maxParallel }).map((p) => p.map((i) => plan[i]!.name));

describe('schedule', () => {
  it.each([
    ['sequential: one stage per phase, in plan order', [smoke, uat, security, load, dr, metrics], false, 3, [['smoke'], ['uat'], ['security'], ['load'], ['dr'], ['metrics']]],
    ['parallel: smoke alone first; dr (needs only smoke) beside uat and security, ahead of load; metrics after load', [smoke, uat, security, load, dr, metrics], true, 3, [['smoke'], ['uat', 'security', 'dr'], ['load'], ['metrics']]],
    ['parallel: maxParallel caps a phase', [smoke, uat, security, load, dr, metrics], true, 2, [['smoke'], ['uat', 'security'], ['load'], ['dr', 'metrics']]],
    ['parallel: an alone stage first in line runs before a later stage that could run beside others', [smoke, load, dr], true, 3, [['smoke'], ['load'], ['dr']]],
    ['parallel: without smoke, the stages before an alone one run together, then it, then the rest', [uat, security, load, plain('dr2'), metrics], true, 3, [['uat', 'security'], ['load'], ['dr2', 'metrics']]],
    ['parallel: no alone stage, capped', [plain('a'), plain('b'), plain('c'), plain('d'), plain('e')], true, 2, [['a', 'b'], ['c', 'd'], ['e']]],
    ['parallel: maxParallel 1 is one by one', [smoke, uat, security, dr], true, 1, [['smoke'], ['uat'], ['security'], ['dr']]],
    ['parallel: a stage placed before smoke runs before it; what needs smoke waits for it', [uat, smoke, dr, security], true, 3, [['uat'], ['smoke'], ['dr', 'security']]],
    ['parallel: a need planned after the stage is ignored (the plan order stands)', [{ name: 'x', alone: false, dependsOn: ['y'] }, plain('y')], true, 3, [['x', 'y']]],
    ['parallel: a need not planned is ignored', [smoke, { name: 'x', alone: false, dependsOn: ['nope'] }, plain('y')], true, 3, [['smoke'], ['x', 'y']]],
    ['parallel: a declared need of a plain stage orders it after that stage', [smoke, uat, { name: 'after-uat', alone: false, dependsOn: ['smoke', 'uat'] }, security], true, 3, [['smoke'], ['uat', 'security'], ['after-uat']]],
  ] as const)('%s', (_name, plan, parallel, maxParallel, expected) => {
    expect(named([...plan], parallel, maxParallel)).toEqual(expected);
  });

  it('every stage is in exactly one phase, after every stage it waits for', () => {
    const plan = [smoke, uat, security, load, dr, metrics, plain('p1'), { name: 'p2', alone: true }, { name: 'p3', alone: false, dependsOn: ['p1'] }];
    for (const maxParallel of [1, 2, 3, 5]) {
      const phases = schedule(plan, { parallel: true, maxParallel });
      expect(phases.flat().sort((a, b) => a - b)).toEqual(plan.map((_, i) => i));
      for (const phase of phases) {
        expect(phase.length).toBeLessThanOrEqual(maxParallel);
        if (phase.some((i) => plan[i]!.alone)) expect(phase).toHaveLength(1);
      }
    }
  });

  it('the built-in stages declare it: smoke and load alone, dr needing smoke (unless it counts the live database)', () => {
    const registry = stageRegistry();
    const entries = registry.map((stage) => scheduleEntry({ name: stage.name, stage, config: stage.configSchema.parse({}) as StageSection }));
    expect(named(entries, true)).toEqual([['smoke'], ['uat', 'security', 'dr'], ['load'], ['metrics']]);
    const drStage = registry.find((s) => s.name === 'dr')!;
    const live = scheduleEntry({ name: 'dr', stage: drStage, config: drStage.configSchema.parse({ compareTo: 'live' }) as StageSection });
    const plan = entries.map((e) => (e.name === 'dr' ? live : e));
    expect(named(plan, true)).toEqual([['smoke'], ['uat', 'security'], ['load'], ['dr', 'metrics']]);
  });
});
