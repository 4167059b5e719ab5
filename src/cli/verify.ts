// `pdv verify` / `pdv run`: resolve, plan, verify, report — shared by the
// program and the area commands (load, demo, decide), so they import this
// file rather than the program that registers them.
import { resolve } from 'node:path';

import { collectSecrets, loadConfig } from '../config/load.ts';
import { checkPlan, planStages } from '../jobs/plan.ts';
import { reapLeftovers } from '../core/reaper.ts';
import { refuseUnwritableOut, runVerification } from '../jobs/verify.ts';
import type { CliIo } from './io.ts';
import { configFlags, parseFraction, parseStartAt, type TargetOptions } from './options.ts';
import { UsageError } from '../core/errors.ts';
import { progressPrinter } from './progress.ts';
import { logText } from '../core/untrusted.ts';
import { finish } from './finish.ts';
import { prepareRun } from '../jobs/prepare.ts';

export interface RunOptions extends TargetOptions {
  grep?: string;
  shard?: string;
  segment?: string;
  startAt?: string;
  import?: string[];
  dryRun?: boolean;
  changeTicket?: string;
}


/** Shared body of `verify` and `run`: resolve, plan, verify, report. */
export async function verifyCommand(io: CliIo, o: RunOptions, requested: string[] | undefined, signal: AbortSignal, command: string): Promise<void> {
  const shard = o.shard ? parseFraction(o.shard, '--shard') : undefined;
  const fraction = o.segment ? parseFraction(o.segment, '--segment') : undefined;
  if (o.startAt !== undefined && !fraction) throw new UsageError('--start-at lines up the segments of one load run: give --segment i/n too', '--start-at');
  const segment = fraction && o.startAt !== undefined ? { ...fraction, startAt: parseStartAt(o.startAt, Date.now()) } : fraction;
  const config = await loadConfig(configFlags(o));
  const stages = planStages(config, requested);
  const imports = [...(o.import ?? [])];
  const secrets = collectSecrets(config);
  // A reused or unwritable --out is refused before the lock or anything else is written or sent.
  if (o.out) refuseUnwritableOut(resolve(o.out));
  await checkPlan({ config, stages, secrets, imports, ...(o.grep ? { grep: o.grep } : {}), ...(shard ? { shard } : {}), ...(segment ? { segment } : {}) });
  // What an earlier pdv killed with -9 left behind (browsers, Prometheus, restored apps, temp folders).
  const reaped = await reapLeftovers();
  for (const line of reaped) io.error(`pdv: reaped ${logText(line)}`);
  const prepared = await prepareRun({ config, stages, imports, dryRun: Boolean(o.dryRun), verify: requested === undefined, signal, secrets });
  try {
    const { report, runDir, warnings } = await runVerification({
      config,
      stages: prepared.stages,
      preChecks: prepared.preChecks,
      reaped,
      command,
      partial: requested !== undefined,
      secrets,
      ...(o.out ? { out: o.out } : {}),
      ...(o.grep ? { grep: o.grep } : {}),
      ...(shard ? { shard } : {}),
      ...(segment ? { segment } : {}),
      imports,
      signal,
      onEvent: progressPrinter(io),
      ...((o.changeTicket ?? process.env.PDV_CHANGE_TICKET) ? { changeTicket: o.changeTicket ?? process.env.PDV_CHANGE_TICKET } : {}),
      ...(prepared.afterVerdict ? { afterVerdict: prepared.afterVerdict } : {}),
    });
    for (const w of warnings) io.error(`pdv: warning: ${logText(w)}`);
    finish(io, report, runDir);
  } finally {
    await prepared.release();
  }
}

