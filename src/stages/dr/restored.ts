import { EvidenceError, errorMessage } from '../../core/errors.ts';
import type { StageContext } from '../stage.ts';
import { startApp, type RunningApp } from '../../dr/app.ts';
import type { DrConfig } from '../../dr/config.ts';
import { migrationSource } from '../../dr/migrations.ts';
import { humanDuration, type PhaseClock } from '../../dr/timing.ts';
import type { BackupRef, RestoreDriver, RestoredCopy, ScratchRef } from '../../dr/types.ts';
import { checkChecksums, checkMigration, checkRowCounts } from '../../dr/validate.ts';
import type { CheckFacts, DrCheckSlug } from './checks.ts';
import { expectations, expectedMigration } from './expect.ts';
import type { DrEmitter } from './phases.ts';
import { liveDatabaseUrl } from './plan.ts';
import { smokeRestoredApp } from './smoke.ts';

// Everything done on the restored copy, in the order the checks depend on
// each other: restore → migration → counts/checksums → app → RTO. A check
// whose prerequisite failed is skipped (DrEmitter.runs); the copy, the app and
// the roles the restore needed are removed on every path.

/** One DR stage run: what every phase reads and writes. */
export interface DrRun {
  ctx: StageContext<DrConfig>;
  cfg: DrConfig;
  driver: RestoreDriver;
  scratch: ScratchRef;
  out: DrEmitter;
  clock: PhaseClock;
  /** The report's `extras.dr` (driver, backup, RPO/RTO, phases). */
  extra: Record<string, unknown>;
}

export async function onRestoredCopy(run: DrRun, backup: BackupRef): Promise<void> {
  const { ctx, driver, scratch, out, clock } = run;
  let copy: RestoredCopy | undefined;
  const state: { phase: DrCheckSlug; app?: RunningApp } = { phase: 'restore' };
  // On timeout/SIGINT stop the restored app at once: whatever is smoking it fails fast, and cleanup can start.
  const onAbort = () => void state.app?.stop().catch(() => undefined);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    copy = await clock.time('restore', () => driver.restore(backup, scratch, ctx.signal));
    out.emit('restore', { status: 'passed', message: `restored ${backup.id} into ${scratch.name}`, durationMs: clock.get('restore')?.durationMs ?? 0 });
    const restored = copy;
    await clock.time('validate', () => validateCopy(run, restored, backup, state));
    await copy.close();
    copy = undefined;
    state.phase = 'app-on-restored-data';
    // Not started when the copy is known to be wrong: its answers would only be symptoms.
    if (out.runs('app-on-restored-data')) await appOnCopy(run, restored, state);
    state.phase = 'rto';
    if (out.runs('rto')) emitRto(run);
  } catch (err) {
    reportFailure(run, err, state);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await state.app?.stop().catch(() => undefined);
    await copy?.close().catch(() => undefined);
    await cleanup(run);
  }
}

async function validateCopy({ ctx, cfg, out }: DrRun, restored: RestoredCopy, backup: BackupRef, state: { phase: DrCheckSlug }): Promise<void> {
  state.phase = 'migration-version';
  // The live database is the runbook's DATABASE_URL (or liveDatabaseUrlEnv) — never the scratch server of databaseUrlEnv.
  const live = cfg.compareTo === 'live' ? liveDatabaseUrl(cfg, ctx.settings.runtime, (n) => ctx.secrets.get(n) ?? ctx.settings.env[n]) : { name: 'DATABASE_URL', url: undefined };
  registerUrlSecret(ctx, live.name, live.url);
  const expected = await expectedMigration(cfg, ctx.settings.rootDir).catch((err: unknown) => {
    throw new EvidenceError(`cannot read the release's migrations: ${errorMessage(err)}`);
  });
  out.emit('migration-version', await checkMigration(restored.db, expected, migrationSource(cfg), backup.manifest));
  // Both are reported (skipped, with the cause) before either may stop the phase.
  if ([out.runs('row-counts'), out.runs('checksums')].includes(false)) return;
  state.phase = 'row-counts';
  const exp = await expectations(cfg, backup.manifest, live);
  out.emit('row-counts', exp.missing && cfg.criticalTables.length
    ? { status: 'errored', message: exp.missing }
    : await checkRowCounts(restored.db, cfg.criticalTables, exp.rowCounts, cfg.tolerance, exp.against));
  state.phase = 'checksums';
  out.emit('checksums', exp.missing && Object.keys(cfg.checksums).length
    ? { status: 'errored', message: exp.missing }
    : await checkChecksums(restored.db, cfg.checksums, exp.checksums, exp.against));
}

async function appOnCopy({ ctx, cfg, scratch, out, clock }: DrRun, restored: RestoredCopy, state: { app?: RunningApp }): Promise<void> {
  const appCfg = cfg.app;
  if (!appCfg) {
    out.emit('app-on-restored-data', { status: 'skipped', message: 'no app command configured (stages.dr.app.command)' });
    return;
  }
  const started = await clock.time('start', () =>
    startApp({ command: appCfg.command, env: { ...appCfg.env, ...restored.app.env }, baseEnv: ctx.settings.env, ...(appCfg.baseUrl ? { baseUrl: appCfg.baseUrl } : {}), startTimeoutMs: appCfg.startTimeout, cwd: ctx.settings.rootDir }, restored.app.placeholders, ctx.signal),
  );
  state.app = started;
  const smoke = await clock.time('smoke', async () => {
    const s = await smokeRestoredApp(ctx, started.baseUrl, appCfg);
    // Errored smoke checks (a browser that cannot start, a missing password) are the harness's: no evidence about the restore.
    if (s.status !== 'passed') throw Object.assign(s.status === 'errored' ? new EvidenceError(s.message) : new Error(s.message), { smoke: s });
    return s;
  });
  out.emit('app-on-restored-data', { status: 'passed', message: `the app started on ${scratch.name} and passed smoke: ${smoke.message}`, evidence: [{ kind: 'json', label: 'smoke on restored app', data: smoke.data }] });
}

function emitRto({ cfg, out, clock, extra }: DrRun): void {
  const rto = cfg.app ? clock.rto() : (clock.get('restore')?.durationMs ?? 0) + (clock.get('validate')?.durationMs ?? 0);
  extra.rtoMs = rto;
  extra.rtoTargetMs = cfg.rtoTarget;
  if (rto === undefined) {
    out.emit('rto', { status: 'errored', message: 'RTO not measured' });
    return;
  }
  out.emit('rto', {
    status: rto <= cfg.rtoTarget ? 'passed' : 'failed',
    onFail: cfg.targetsOnFail,
    message: `restore → ${cfg.app ? 'working app' : 'validated copy (no app configured)'} took ${humanDuration(rto)} (RTO target ${humanDuration(cfg.rtoTarget)})`,
    observed: Math.round(rto),
    limit: cfg.rtoTarget,
    unit: 'ms',
    evidence: [{ kind: 'json', label: 'phases', data: clock.durations() }],
  });
}

/** The phase that threw: errored when the harness or an abort is to blame, failed when the copy is. */
function reportFailure({ ctx, out }: DrRun, err: unknown, state: { phase: DrCheckSlug; app?: RunningApp }): void {
  const { phase, app } = state;
  const aborted = ctx.signal.aborted;
  const smoke = (err as { smoke?: { data: unknown } }).smoke;
  const evidence: CheckFacts['evidence'] = smoke ? [{ kind: 'json', label: 'smoke on restored app', data: smoke.data }] : [];
  if (app && !smoke) evidence.push({ kind: 'text', label: 'app output', text: ctx.redactor.text(app.output()) });
  const harness = isHarnessFault(err);
  if (!out.has(phase)) {
    const what = phase !== 'app-on-restored-data' ? '' : harness ? 'could not check the app on the restored data: ' : 'the app on the restored data failed: ';
    out.emit(phase, {
      status: aborted || harness ? 'errored' : 'failed',
      message: aborted ? `interrupted: ${errorMessage(ctx.signal.reason)}` : `${what}${errorMessage(err)}`,
      evidence,
    });
  }
  out.skipRest(aborted ? 'interrupted' : `not reached: ${phase} ${harness ? 'could not be checked' : 'failed'}`);
}

/** The harness (or its inputs) failed, not the backup: a scratch server out of reach, a tool or app command that cannot start. */
function isHarnessFault(err: unknown): boolean {
  if (err instanceof EvidenceError) return true;
  const e = err as { code?: string; syscall?: string };
  return (e.code === 'ENOENT' || e.code === 'EACCES') && typeof e.syscall === 'string' && e.syscall.startsWith('spawn');
}

function registerUrlSecret(ctx: StageContext<DrConfig>, name: string, url: string | undefined): void {
  if (!url) return;
  ctx.redactor.addSecret(name, url);
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) ctx.redactor.addSecret(`${name}_PASSWORD`, password);
  } catch {
    // not a URL: the whole value is registered
  }
}

async function cleanup({ cfg, driver, scratch, out, clock }: DrRun): Promise<void> {
  // Its own deadline: the run's signal may already be aborted (timeout, SIGINT).
  const signal = AbortSignal.timeout(driver.kind === 'rds' ? Math.max(cfg.cleanupTimeout, cfg.rds.deleteTimeout) : cfg.cleanupTimeout);
  try {
    await clock.time('cleanup', () => driver.drop(scratch, signal));
    out.emit('cleanup', { status: 'passed', message: `removed ${scratch.name}` });
  } catch (err) {
    out.emit('cleanup', { status: 'failed', message: `could not remove ${scratch.name}: ${errorMessage(err)} (it carries the run-id tag; \`pdv dr cleanup\` removes it)` });
  }
}
