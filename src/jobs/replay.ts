import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { EVENTS_FILE, readEvents } from '../platform/eventlog.ts';
import type { RunEvent, RunStartEvent } from '../core/events.ts';
import { DEFAULT_POLICY } from '../core/policy.ts';
import { Redactor } from '../core/redact.ts';
import type { VerdictReport } from '../core/types.ts';
import type { VerdictOptions } from '../core/verdict.ts';
import type { Env } from '../reporters/index.ts';
import { recordVerdict } from './verify.ts';

export function runStartOf(events: readonly RunEvent[], where: string): RunStartEvent {
  const start = events.find((e): e is RunStartEvent => e.type === 'run.start');
  if (!start) throw new UsageError('the event log has no run.start event', where);
  return start;
}

/** The policy a run was decided with (stored in its run.start event). */
export function storedPolicy(start: RunStartEvent): VerdictOptions {
  return start.policy ?? { ...DEFAULT_POLICY, overrides: [], quarantine: [] };
}

export function readRunDir(dir: string): { dir: string; events: RunEvent[] } {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new UsageError('not a run folder', dir);
  const file = join(abs, EVENTS_FILE);
  if (!existsSync(file)) throw new UsageError(`no ${EVENTS_FILE} in the folder (is it a pdv run folder?)`, dir);
  return { dir: abs, events: readEvents(file) };
}

/** `pdv report <dir>`: re-render every report from the stored events, exactly as decided then. */
export async function rerender(dir: string, env: Env): Promise<{ report: VerdictReport; runDir: string }> {
  const run = readRunDir(dir);
  const start = runStartOf(run.events, join(dir, EVENTS_FILE));
  // Events were redacted when recorded; the reporters' own pass is defence in depth.
  const { report } = await recordVerdict(run.dir, run.events, storedPolicy(start), { redactor: new Redactor(), env });
  return { report, runDir: run.dir };
}
