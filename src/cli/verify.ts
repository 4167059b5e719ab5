// `pdv verify` / `pdv run`: resolve, plan, verify, report — shared by the
// program and the area commands (load, demo, decide), so they import this
// file rather than the program that registers them.
import { collectSecrets, loadConfig } from '../config/load.ts';
import { planStages } from '../jobs/plan.ts';
import { checkPlanTask, lockTask, reapTask } from '../jobs/prepare.ts';
import { runTasks } from '../jobs/tasks.ts';
import { actionsTasks, newVerifyRun, outcomeOf, runTaskList } from '../jobs/verify.ts';
import type { CliIo } from './io.ts';
import { configFlags, parseFraction, parseStartAt, type TargetOptions } from './options.ts';
import { UsageError } from '../core/errors.ts';
import { progressPrinter } from './progress.ts';
import { logText } from '../core/untrusted.ts';
import { finish } from './finish.ts';

export interface RunOptions extends TargetOptions {
  grep?: string;
  shard?: string;
  segment?: string;
  startAt?: string;
  import?: string[];
  dryRun?: boolean;
  changeTicket?: string;
}

/** Shared body of `verify` and `run`: the run's task list (docs/architecture.md), then the verdict printed. */
export async function verifyCommand(io: CliIo, o: RunOptions, requested: string[] | undefined, signal: AbortSignal, command: string): Promise<void> {
  const shard = o.shard ? parseFraction(o.shard, '--shard') : undefined;
  const fraction = o.segment ? parseFraction(o.segment, '--segment') : undefined;
  if (o.startAt !== undefined && !fraction) throw new UsageError('--start-at lines up the segments of one load run: give --segment i/n too', '--start-at');
  const segment = fraction && o.startAt !== undefined ? { ...fraction, startAt: parseStartAt(o.startAt, Date.now()) } : fraction;
  const config = await loadConfig(configFlags(o));
  const changeTicket = o.changeTicket ?? config.env.PDV_CHANGE_TICKET;
  const run = newVerifyRun({
    config,
    stages: planStages(config, requested),
    command,
    partial: requested !== undefined,
    secrets: collectSecrets(config),
    imports: [...(o.import ?? [])],
    signal,
    onEvent: progressPrinter(io),
    ...(o.out ? { out: o.out } : {}),
    ...(o.grep ? { grep: o.grep } : {}),
    ...(shard ? { shard } : {}),
    ...(segment ? { segment } : {}),
    ...(changeTicket ? { changeTicket } : {}),
  });
  // Only `pdv verify` (the whole deploy) fires actions and keeps baselines; `pdv run` records them as dry-run.
  const verify = requested === undefined;
  const actions = actionsTasks({ dryRun: Boolean(o.dryRun) || !verify, stageSteps: verify });
  const tasks = [checkPlanTask, reapTask((line) => io.error(`pdv: reaped ${logText(line)}`)), ...(verify ? [lockTask()] : []), ...runTaskList(actions)];
  await runTasks(tasks, run);
  const { report, runDir, warnings } = outcomeOf(run);
  for (const w of warnings) io.error(`pdv: warning: ${logText(w)}`);
  finish(io, report, runDir);
}
