import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ResolvedConfig } from '../config/types.ts';
import { errorMessage, UsageError, UnrecordedVerdictError } from '../core/errors.ts';
import { EventLog, EVENTS_FILE } from '../platform/eventlog.ts';
import type { RunEvent } from '../core/events.ts';
import { orchestrate } from './orchestrate.ts';
import { Redactor } from '../core/redact.ts';
import type { CheckResult, Target, VerdictReport } from '../core/types.ts';
import { buildVerdict, type VerdictOptions } from '../core/verdict.ts';
import { appendStepSummary, RECORD_WARNING, reportContext, writeReports, updateLatestLink, type Env, type WriteReportsOptions } from '../reporters/index.ts';
import type { StageReportParts } from '../reporters/types.ts';
import { stageRegistry } from '../stages/index.ts';
import type { StageDefinition } from '../stages/stage.ts';
import { afterVerdict } from './after-verdict.ts';
import { checklistObservations } from './checklist-evidence.ts';
import { targetOf, type PlannedStage } from './plan.ts';
import { runTasks, type Task } from './tasks.ts';

export interface VerifyOptions {
  config: ResolvedConfig;
  stages: PlannedStage[];
  command: string;
  partial: boolean;
  secrets: ReadonlyMap<string, string>;
  /** `--out DIR`; default `<reportsDir>/<run-id>/`. */
  out?: string;
  cwd?: string;
  grep?: string;
  shard?: { index: number; total: number };
  segment?: { index: number; total: number };
  imports?: string[];
  signal: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  /** Checks recorded before any stage runs (e.g. the environment lock was not free). */
  preChecks?: CheckResult[];
  /** What startup reaping removed of earlier dead runs (recorded as `extras.reaped`). */
  reaped?: string[];
  /** The change-management ticket (`--change-ticket` / $PDV_CHANGE_TICKET), evidence for the checklist. */
  changeTicket?: string;
}

/** A verify run as its tasks fill it in (jobs/tasks.ts): the options, then what each task adds. */
export interface VerifyRun extends VerifyOptions {
  /** The target, built once from the config (checkPlan and every stage get this one). */
  target: Target;
  redactor: Redactor;
  /** Set by the task that opens the run folder. */
  open?: { runId: string; runDir: string; createdDir: boolean; log: EventLog };
  /** The verdict on disk (verdict.json) and what failed to be written beside it. */
  recorded?: Recorded;
}

export interface Recorded {
  report: VerdictReport;
  warnings: string[];
}

export function newRunId(environment: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${environment}-${randomBytes(3).toString('hex')}`;
}

export function verdictOptions(config: ResolvedConfig): VerdictOptions {
  return {
    majorBudget: config.policy.majorBudget,
    flakyAsFailed: config.policy.flakyAsFailed,
    overrides: config.policy.overrides,
    quarantine: config.quarantine,
    ...(config.policy.requireSignoffs?.length ? { requireSignoffs: config.policy.requireSignoffs } : {}),
    ...(config.checklist.length ? { checklist: config.checklist } : {}),
  };
}

/** Each stage's part of the reports (its HTML section, its own files), loaded once per process. */
const parts = new WeakMap<StageDefinition, Promise<StageReportParts | undefined>>();
export async function stageReportParts(registry: readonly StageDefinition[], report?: VerdictReport): Promise<StageReportParts[]> {
  // Only the stages the run has anything of (a smoke-only run loads no metrics charts).
  const ran = report ? new Set([...report.stages.map((s) => s.name), ...report.checks.map((c) => c.stage), ...Object.keys(report.extras)]) : undefined;
  const loaded = await Promise.all(
    registry.filter((stage) => !ran || ran.has(stage.name)).map((stage) => {
      let p = parts.get(stage);
      if (!p) parts.set(stage, (p = stage.report ? stage.report().then((r) => ({ stage: stage.name, ...r })) : Promise.resolve(undefined)));
      return p;
    }),
  );
  return loaded.filter((p): p is StageReportParts => p !== undefined);
}

/**
 * Write every report; a broken human-facing reporter is reported, but a
 * verdict.json that cannot be written is a failure of the run itself.
 */
export async function writeAllReports(report: VerdictReport, runDir: string, options: WriteReportsOptions & { plugins?: StageDefinition[]; env: Env }): Promise<string[]> {
  const { plugins, ...rest } = options;
  const result = await writeReports(report, runDir, { stages: await stageReportParts(stageRegistry(plugins), report), ...rest });
  // The other reports already say the run failed to record its verdict; the caller must not act on it.
  if (result.unrecorded !== undefined) {
    throw new UnrecordedVerdictError(`the run failed to record its verdict: verdict.json could not be written (${result.unrecorded}) in ${runDir}; treat the run as hold`);
  }
  // `<file>: <reason>` for a file that could not be written (the record rule's wording), else the reporter's own error.
  return result.failures.map((f) => (f.file !== undefined ? f.error : `reporter ${f.reporter} failed: ${f.error}`));
}

/**
 * `--out DIR` must be a new run folder: appending to another run's event log
 * would mix two runs into one verdict. Checked before anything is written.
 */
export function refuseReusedOut(runDir: string, flag = '--out'): void {
  if (existsSync(join(runDir, EVENTS_FILE))) throw new UsageError(`${runDir} already holds a run (${EVENTS_FILE}); choose a new folder`, flag);
}

/**
 * Before the plan: `--out` must be a folder pdv can create and write, or the
 * run is a usage error with nothing sent. What this creates to find out is
 * removed again, so a refused run leaves nothing behind.
 */
export function refuseUnwritableOut(runDir: string, flag = '--out'): void {
  refuseReusedOut(runDir, flag);
  let created: string | undefined;
  try {
    created = mkdirSync(runDir, { recursive: true });
    accessSync(runDir, constants.W_OK);
  } catch (err) {
    throw new UsageError(`${runDir}: cannot create or write the run folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`, flag);
  } finally {
    if (created) rmSync(created, { recursive: true, force: true });
  }
}

/** Create the run folder (its parents too); a folder that cannot be made is a usage error before any stage runs. */
function makeRunDir(runDir: string, flag: string): boolean {
  const existed = existsSync(runDir);
  try {
    mkdirSync(runDir, { recursive: true });
  } catch (err) {
    throw new UsageError(`${runDir}: cannot create the run folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`, flag);
  }
  return !existed;
}

/**
 * The record rule (docs/reports.md): the verdict is built from the events by
 * the one policy and every report is written, verdict.json first; without it
 * the run is hold (UnrecordedVerdictError) and nothing acts on it; anything
 * that fails to be written after it is a warning, never a new verdict.
 * `pdv verify`, `pdv decide`, `pdv merge` and `pdv report` all record this way.
 */
export async function recordVerdict(runDir: string, events: readonly RunEvent[], policy: VerdictOptions, options: RecordOptions): Promise<Recorded> {
  const report = buildVerdict(events, policy);
  return { report, warnings: await writeAllReports(report, runDir, options) };
}

type RecordOptions = WriteReportsOptions & { plugins?: StageDefinition[]; env: Env };

/** Recorded again after the actions; a verdict.json that cannot be written now leaves the first one standing (and the exit code follows it). */
export async function recordAgain(first: Recorded, runDir: string, events: readonly RunEvent[], policy: VerdictOptions, options: RecordOptions): Promise<Recorded> {
  try {
    // verdict.json already holds this run's verdict: the other reports keep rendering it whatever fails now.
    return await recordVerdict(runDir, events, policy, { ...options, recorded: true });
  } catch (err) {
    if (!(err instanceof UnrecordedVerdictError)) throw err;
    return { report: first.report, warnings: [...first.warnings, `${err.message.replace(/; treat the run as hold$/, '')}: verdict.json still holds the verdict before the actions, and the exit code follows it`] };
  }
}

export function newVerifyRun(opts: VerifyOptions): VerifyRun {
  return { ...opts, target: targetOf(opts.config), redactor: new Redactor(opts.secrets) };
}

function opened(run: VerifyRun): NonNullable<VerifyRun['open']> {
  if (!run.open) throw new Error('the run folder is not open (task order)');
  return run.open;
}

// The step summary is appended once, by the finish task, when the record is complete.
const recordOptions = (run: VerifyRun): RecordOptions => ({ redactor: run.redactor, env: run.config.env, deferStepSummary: true, ...(run.config.pluginStages ? { plugins: run.config.pluginStages } : {}) });

/** The run folder and its event log, claimed exclusively (a second run given the same folder is refused, not mixed in); the run's first events. */
export const openRunTask: Task<VerifyRun> = {
  title: 'open the run',
  async setup(run) {
    const { config } = run;
    const runId = newRunId(config.environmentName);
    const runDir = run.out ? (isAbsolute(run.out) ? run.out : resolve(run.cwd ?? process.cwd(), run.out)) : join(config.reportsDir, runId);
    refuseReusedOut(runDir);
    const createdDir = makeRunDir(runDir, run.out ? '--out' : 'reportsDir');
    const log = new EventLog(join(runDir, EVENTS_FILE), run.redactor, { exclusive: true });
    run.open = { runId, runDir, createdDir, log };
    if (run.onEvent) log.onEvent(run.onEvent);
    const now = () => new Date().toISOString();
    log.append({
      type: 'run.start',
      at: now(),
      runId,
      command: run.command,
      target: run.target,
      plan: run.stages.map((s) => s.name),
      required: run.stages.filter((s) => s.required).map((s) => s.name),
      partial: run.partial,
      policy: verdictOptions(config),
      ...(config.file ? { configFile: config.file } : {}),
      ...(run.grep ? { grep: run.grep } : {}),
      ...(run.shard ? { shard: run.shard } : {}),
      ...(run.segment ? { segment: run.segment } : {}),
    });
    for (const check of run.preChecks ?? []) log.append({ type: 'check', at: now(), check });
    for (const o of checklistObservations(config, run.changeTicket)) log.append({ ...o, at: now() });
    if (run.reaped?.length) log.append({ type: 'extra', at: now(), key: 'reaped', value: run.reaped });
  },
  async teardown(run) {
    run.open?.log.close();
  },
};

/** The stages (jobs/orchestrate.ts), then run.end. */
export const runStagesTask: Task<VerifyRun> = {
  title: 'run the stages',
  async setup(run) {
    const { runId, runDir, createdDir, log } = opened(run);
    const { config } = run;
    try {
      const result = await orchestrate({
        runId,
        runDir,
        config,
        target: run.target,
        stages: run.stages,
        log,
        redactor: run.redactor,
        secrets: run.secrets,
        signal: run.signal,
        deadlineMs: config.deadline,
        failFast: config.failFast,
        parallel: config.parallel,
        maxParallel: config.maxParallel,
        ...(run.grep ? { grep: run.grep } : {}),
        ...(run.shard ? { shard: run.shard } : {}),
        ...(run.segment ? { segment: run.segment } : {}),
        imports: run.imports ?? [],
      });
      log.append({ type: 'run.end', at: new Date().toISOString(), interrupted: result.interrupted, ...(result.reason ? { reason: result.reason } : {}) });
    } catch (err) {
      log.close();
      // Bad input discovered by a stage: nothing half-written stays behind (a
      // folder given by --out that existed before keeps only what it had).
      if ((err as Error).name === 'UsageError') {
        if (createdDir) rmSync(runDir, { recursive: true, force: true });
        else rmSync(join(runDir, EVENTS_FILE), { force: true });
      }
      throw err;
    }
  },
};

/** The verdict from the events, every report written (recordVerdict). */
export const recordTask: Task<VerifyRun> = {
  title: 'record the verdict',
  async setup(run) {
    const { runDir, log } = opened(run);
    run.recorded = await recordVerdict(runDir, log.events, verdictOptions(run.config), recordOptions(run));
  },
};

/** The actions on the recorded verdict (jobs/after-verdict.ts), then the verdict recorded again with them. */
export function actionsTasks(options: { dryRun: boolean; stageSteps: boolean }): Array<Task<VerifyRun>> {
  const actions: Task<VerifyRun> = {
    title: 'actions',
    async setup(run) {
      const { runId, runDir, log } = opened(run);
      const report = run.recorded!.report;
      await afterVerdict({ report, config: run.config, runId, runDir, redactor: run.redactor, secrets: run.secrets, signal: run.signal, ...options, record: (e) => log.append(e) });
    },
  };
  const again: Task<VerifyRun> = {
    title: 'record the verdict again',
    async setup(run) {
      const { runDir, log } = opened(run);
      run.recorded = await recordAgain(run.recorded!, runDir, log.events, verdictOptions(run.config), recordOptions(run));
    },
  };
  return [actions, again];
}

/**
 * The log closed and `latest` pointed at the run; then the end of the record (the record rule,
 * docs/reports.md): the step summary, once, and — when part of the record could not be written —
 * every report rewritten to say so. The exit code follows the verdict.json on disk.
 */
export const finishTask: Task<VerifyRun> = {
  title: 'finish',
  async setup(run) {
    const { runDir, log } = opened(run);
    const problems = [...run.recorded!.warnings];
    log.close();
    if (log.writeError) problems.push(log.writeError);
    if (!run.out) await updateLatestLink(run.config.reportsDir, runDir).catch((err: unknown) => problems.push(`${join(run.config.reportsDir, 'latest')}: ${errorMessage(err)}`));
    const report = await recordWarnings(run.recorded!.report, problems, runDir, recordOptions(run));
    run.recorded = { report, warnings: problems.map((p) => `${RECORD_WARNING}: ${p}`) };
  },
};

/**
 * The step summary (once, with the warnings known so far), then, when part of the record is
 * missing, every report rewritten to say so. `problems` grows with what fails here too.
 */
async function recordWarnings(report: VerdictReport, problems: string[], runDir: string, options: RecordOptions): Promise<VerdictReport> {
  const redactor = options.redactor;
  const withWarnings = (r: VerdictReport): VerdictReport => (problems.length ? { ...r, recordWarnings: [...problems] } : r);
  await appendStepSummary(redactor?.deep ? redactor.deep(withWarnings(report)) : withWarnings(report), reportContext(runDir, redactor), options.env).catch((err: unknown) => {
    problems.push(`$GITHUB_STEP_SUMMARY: ${errorMessage(err)}`);
  });
  if (!problems.length) return report;
  const amended = withWarnings(report);
  for (const p of await writeAllReports(amended, runDir, { ...options, recorded: true })) if (!problems.includes(p)) problems.push(p);
  return amended;
}

/** The tasks of a run once it is planned (and locked): open, run the stages, record, [actions, record again], finish. */
export function runTaskList(actions?: Array<Task<VerifyRun>>): Array<Task<VerifyRun>> {
  return [openRunTask, runStagesTask, recordTask, ...(actions ?? []), finishTask];
}

/** What a finished run hands back: the recorded verdict, its folder, the warnings. */
export function outcomeOf(run: VerifyRun): { report: VerdictReport; runDir: string; warnings: string[] } {
  if (!run.recorded) throw new Error('the verdict is not recorded (task order)');
  return { report: run.recorded.report, runDir: opened(run).runDir, warnings: run.recorded.warnings };
}

/** One verification run: run folder, event log, stages, verdict, reports (and the actions when given). */
export async function runVerification(opts: VerifyOptions, actions?: Array<Task<VerifyRun>>): Promise<{ report: VerdictReport; runDir: string; warnings: string[] }> {
  const run = newVerifyRun(opts);
  await runTasks(runTaskList(actions), run);
  return outcomeOf(run);
}
