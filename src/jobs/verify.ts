import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ResolvedConfig } from '../config/types.ts';
import { errorMessage, UsageError, UnrecordedVerdictError } from '../core/errors.ts';
import { EventLog, EVENTS_FILE } from '../core/eventlog.ts';
import type { RunEvent } from '../core/events.ts';
import { orchestrate } from './orchestrate.ts';
import { Redactor } from '../core/redact.ts';
import type { CheckResult, Target, VerdictReport } from '../core/types.ts';
import { buildVerdict, type VerdictOptions } from '../core/verdict.ts';
import { appendStepSummary, RECORD_WARNING, reportContext, writeReports, updateLatestLink, type Env, type WriteReportsOptions } from '../reporters/index.ts';
import type { StageReportParts } from '../reporters/types.ts';
import { stageRegistry } from '../stages/index.ts';
import type { StageDefinition } from '../stages/stage.ts';
import { checklistObservations } from './checklist-evidence.ts';
import type { PlannedStage } from './plan.ts';

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
  /** Runs after the first verdict (rollback, notify, publish); returns nothing, emits action events. */
  afterVerdict?: (report: VerdictReport, run: RunHandle) => Promise<void>;
}

export interface RunHandle {
  runId: string;
  runDir: string;
  redactor: Redactor;
  record(e: RunEvent): void;
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

/** One verification run: run folder, event log, stages, verdict, reports. */
export async function runVerification(opts: VerifyOptions): Promise<{ report: VerdictReport; runDir: string; warnings: string[] }> {
  const { config } = opts;
  const runId = newRunId(config.environmentName);
  const cwd = opts.cwd ?? process.cwd();
  const runDir = opts.out ? (isAbsolute(opts.out) ? opts.out : resolve(cwd, opts.out)) : join(config.reportsDir, runId);
  refuseReusedOut(runDir);
  const createdDir = makeRunDir(runDir, opts.out ? '--out' : 'reportsDir');

  const redactor = new Redactor(opts.secrets);
  // Claimed exclusively: a second run given the same folder is refused here, not mixed in.
  const log = new EventLog(join(runDir, EVENTS_FILE), redactor, { exclusive: true });
  if (opts.onEvent) log.onEvent(opts.onEvent);
  const now = () => new Date().toISOString();
  const target: Target = {
    environment: config.environmentName,
    baseUrl: config.environment.baseUrl,
    ...(config.environment.apiUrl ? { apiUrl: config.environment.apiUrl } : {}),
    ...(config.environment.expectedVersion ? { expectedVersion: config.environment.expectedVersion } : {}),
    ...(config.deployId ? { deployId: config.deployId } : {}),
  };

  try {
    log.append({
      type: 'run.start',
      at: now(),
      runId,
      command: opts.command,
      target,
      plan: opts.stages.map((s) => s.name),
      required: opts.stages.filter((s) => s.required).map((s) => s.name),
      partial: opts.partial,
      policy: verdictOptions(config),
      ...(config.file ? { configFile: config.file } : {}),
      ...(opts.grep ? { grep: opts.grep } : {}),
      ...(opts.shard ? { shard: opts.shard } : {}),
      ...(opts.segment ? { segment: opts.segment } : {}),
    });
    for (const check of opts.preChecks ?? []) log.append({ type: 'check', at: now(), check });
    for (const o of checklistObservations(config, opts.changeTicket)) log.append({ ...o, at: now() });
    if (opts.reaped?.length) log.append({ type: 'extra', at: now(), key: 'reaped', value: opts.reaped });
    const result = await orchestrate({
      runId,
      runDir,
      config,
      target,
      stages: opts.stages,
      log,
      redactor,
      secrets: opts.secrets,
      signal: opts.signal,
      deadlineMs: config.deadline,
      failFast: config.failFast,
      parallel: config.parallel,
      maxParallel: config.maxParallel,
      ...(opts.grep ? { grep: opts.grep } : {}),
      ...(opts.shard ? { shard: opts.shard } : {}),
      ...(opts.segment ? { segment: opts.segment } : {}),
      imports: opts.imports ?? [],
    });
    log.append({ type: 'run.end', at: now(), interrupted: result.interrupted, ...(result.reason ? { reason: result.reason } : {}) });
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

  // The record rule (docs/reports.md): the exit code follows the verdict.json on
  // disk. Without a first verdict.json the run is hold (UnrecordedVerdictError);
  // anything that fails to be written after it is a record warning in the files
  // that can still be written and on stderr, never a new verdict.
  let report: VerdictReport;
  let problems: string[];
  const reportOptions = { redactor, env: config.env, deferStepSummary: true, ...(config.pluginStages ? { plugins: config.pluginStages } : {}) };
  try {
    report = buildVerdict(log.events, verdictOptions(config));
    problems = await writeAllReports(report, runDir, reportOptions);
    if (opts.afterVerdict) {
      const handle: RunHandle = { runId, runDir, redactor, record: (e) => log.append(e) };
      await opts.afterVerdict(report, handle);
      // The actions never change the verdict (buildVerdict ignores them), so a failed rewrite leaves the same verdict on disk.
      report = buildVerdict(log.events, verdictOptions(config));
      problems = await writeAllReports(report, runDir, { ...reportOptions, recorded: true });
    }
  } finally {
    log.close();
  }
  if (log.writeError) problems.push(log.writeError);
  if (!opts.out) await updateLatestLink(config.reportsDir, runDir).catch((err: unknown) => problems.push(`${join(config.reportsDir, 'latest')}: ${errorMessage(err)}`));
  const recorded = await recordWarnings(report, problems, runDir, reportOptions);
  return { report: recorded, runDir, warnings: problems.map((p) => `${RECORD_WARNING}: ${p}`) };
}

/**
 * The end of the record: the step summary (once, with the warnings known so
 * far), then, when part of the record is missing, every report rewritten to
 * say so. `problems` grows with what fails here too (printed on stderr).
 */
async function recordWarnings(report: VerdictReport, problems: string[], runDir: string, options: WriteReportsOptions & { plugins?: StageDefinition[]; env: Env }): Promise<VerdictReport> {
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
