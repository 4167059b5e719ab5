import { join } from 'node:path';
import { EvidenceError, errorMessage } from '../../core/errors.ts';
import { writeJsonAtomic } from '../../core/fs.ts';
import type { StageContext } from '../stage.ts';
import { startApp, type RunningApp } from '../../dr/app.ts';
import { inProgress } from '../../dr/cleanup.ts';
import { createDriver } from '../../dr/index.ts';
import { sha256File } from '../../dr/manifest.ts';
import { scratchNameFor } from '../../dr/naming.ts';
import { humanDuration, PhaseClock, rpoMs } from '../../dr/timing.ts';
import type { BackupRef, RestoreDriver, RestoredCopy, ScratchRef } from '../../dr/types.ts';
import { checkChecksums, checkMigration, checkRowCounts } from '../../dr/validate.ts';
import { migrationSource } from '../../dr/migrations.ts';
import { drCheck, type CheckFacts, type DrCheckSlug } from './checks.ts';
import type { DrConfig } from '../../dr/config.ts';
import { expectations, expectedMigration } from './expect.ts';
import { liveDatabaseUrl } from './plan.ts';
import { smokeRestoredApp } from './smoke.ts';
import { PhaseGate, skippedBecause, type Cause } from './phases.ts';

// The DR stage: find leftovers, locate the newest backup (RPO), prove the
// archive reads, restore it into a scratch copy tagged with the run id,
// validate the copy, start the app on it and smoke it (RTO), and remove the
// copy on every path — success, failure, timeout and SIGINT.

export interface DrDeps {
  /** Tests inject a driver (e.g. RDS over aws-sdk-client-mock). */
  driver?: RestoreDriver;
  now?: () => Date;
}

const AFTER: DrCheckSlug[] = ['archive-reads', 'restore', 'migration-version', 'row-counts', 'checksums', 'app-on-restored-data', 'rto'];

export async function runDr(ctx: StageContext<DrConfig>, deps: DrDeps = {}): Promise<void> {
  const cfg: DrConfig = ctx.config;
  const now = deps.now ?? (() => new Date());
  const gate = new PhaseGate();
  const emit = (slug: DrCheckSlug, facts: CheckFacts, cause?: Cause) => {
    gate.record(slug, facts.status, cause);
    ctx.check(drCheck(slug, facts));
  };
  // Every check not yet reported is skipped: after its root cause when it depends on one, else for `why`.
  const skipRest = (why: string) => {
    for (const slug of AFTER) {
      if (gate.has(slug)) continue;
      const cause = gate.blockedBy(slug);
      emit(slug, { status: 'skipped', message: cause ? skippedBecause(cause) : why }, cause);
    }
  };
  /** May `slug` run? When a prerequisite failed it is reported skipped, naming the cause. */
  const runs = (slug: DrCheckSlug): boolean => {
    const cause = gate.blockedBy(slug);
    if (cause) emit(slug, { status: 'skipped', message: skippedBecause(cause) }, cause);
    return !cause;
  };

  if (!cfg.driver && !deps.driver) {
    emit('backup-found', { status: 'skipped', message: 'DR is not configured (stages.dr.driver)' });
    return;
  }
  const driver = deps.driver ?? (await createDriver(cfg, { rootDir: ctx.settings.rootDir, runtime: ctx.settings.runtime }));
  const clock = new PhaseClock();
  const scratch: ScratchRef = { name: scratchNameFor(driver.kind, ctx.runId), runId: ctx.runId };
  const extra: Record<string, unknown> = { driver: driver.kind, scratch: scratch.name };
  const finish = async () => {
    extra.phases = clock.phases.map((p) => ({ name: p.name, durationMs: Math.round(p.durationMs ?? 0), ok: p.ok ?? false }));
    ctx.emit({ type: 'extra', key: 'dr', value: ctx.redactor.deep(extra) });
    await writeJsonAtomic(join(ctx.runDir, 'dr', 'dr.json'), ctx.redactor.deep(extra)).catch(() => undefined);
    ctx.emit({ type: 'artifact', artifact: { stage: 'dr', name: 'DR phases', path: 'dr/dr.json', kind: 'json' } });
  };

  // Leftovers of earlier runs: reported (minor), removed by `pdv dr cleanup`. A copy younger than
  // this stage's timeout may be another DR run's, still in progress (a second environment, a
  // parallel pipeline): in use, not left over. A copy without a creation time counts as left.
  try {
    const others = (await driver.listScratch(ctx.signal)).filter((s) => s.runId !== ctx.runId);
    const inUse = others.filter((s) => inProgress(s, cfg.timeout));
    const left = others.filter((s) => !inUse.includes(s));
    const busy = inUse.length ? ` (${inUse.length} in use by a DR run in progress, younger than the stage timeout: ${inUse.map((l) => l.name).join(', ')})` : '';
    extra.leftovers = left;
    emit('leftovers', left.length
      ? { status: 'failed', message: `${left.length} scratch cop${left.length === 1 ? 'y' : 'ies'} from earlier runs: ${left.map((l) => l.name).join(', ')} (run \`pdv dr cleanup\`)${busy}`, evidence: [{ kind: 'json', label: 'leftovers', data: left }] }
      : { status: 'passed', message: `no scratch copies from earlier runs${busy}` });
  } catch (err) {
    emit('leftovers', { status: 'errored', message: `could not list scratch copies: ${errorMessage(err)}` });
  }

  let backup: BackupRef | undefined;
  try {
    backup = await clock.time('locate', () => driver.locate(ctx.signal));
  } catch (err) {
    emit('backup-found', { status: 'errored', message: `could not look for backups: ${errorMessage(err)}` });
    emit('rpo', { status: 'errored', message: 'no backup time: the backup could not be located' });
    skipRest('no backup located');
    await finish();
    return;
  }
  if (!backup) {
    const where = cfg.source.path ?? cfg.source.folder ?? cfg.source.instance ?? 'the configured source';
    emit('backup-found', { status: 'failed', message: `no backup found in ${where}` });
    // No backup at all is not a stale backup: there is nothing to recover from.
    emit('rpo', { status: 'failed', onFail: 'rollback', message: `no backup: RPO unbounded (target ${humanDuration(cfg.rpoTarget)})`, observed: null, limit: cfg.rpoTarget, unit: 'ms' });
    skipRest('no backup to restore');
    await finish();
    return;
  }
  extra.backup = { id: backup.id, createdAt: backup.createdAt.toISOString(), details: backup.details };
  emit('backup-found', { status: 'passed', message: `newest backup ${backup.id} (${backup.createdAt.toISOString()})`, evidence: [{ kind: 'json', label: 'backup', data: backup.details }] });

  const rpo = rpoMs(backup.createdAt, now());
  extra.rpoMs = rpo;
  extra.rpoTargetMs = cfg.rpoTarget;
  emit('rpo', {
    status: rpo <= cfg.rpoTarget ? 'passed' : 'failed',
    onFail: cfg.targetsOnFail,
    message: `backup is ${humanDuration(rpo)} old (RPO target ${humanDuration(cfg.rpoTarget)})`,
    observed: rpo,
    limit: cfg.rpoTarget,
    unit: 'ms',
  });

  // The archive reads: the driver's own proof plus the manifest's size and hash.
  const archiveOk = await clock
    .time('archive', async () => {
      const info = await driver.verifyArchive(backup, ctx.signal);
      const evidence: CheckFacts['evidence'] = [];
      if (info.ok && backup.manifest && driver.kind !== 'rds') {
        const sha = await sha256File(backup.id);
        evidence.push({ kind: 'json', label: 'archive hash', data: { manifest: backup.manifest.archive.sha256, actual: sha } });
        if (sha !== backup.manifest.archive.sha256) {
          return { ok: false, message: `archive differs from its manifest (sha256 ${sha.slice(0, 12)}…, manifest ${backup.manifest.archive.sha256.slice(0, 12)}…; ${backup.details.bytes as number} of ${backup.manifest.archive.bytes} bytes)`, evidence };
        }
      }
      return { ok: info.ok, message: info.message, evidence };
    })
    .catch((err: unknown) => ({ ok: false, harness: err instanceof EvidenceError, message: errorMessage(err), evidence: [] }));
  const archiveHarness = 'harness' in archiveOk && archiveOk.harness;
  emit('archive-reads', { status: archiveOk.ok ? 'passed' : ctx.signal.aborted || archiveHarness ? 'errored' : 'failed', message: archiveOk.message, evidence: archiveOk.evidence ?? [] });
  if (!archiveOk.ok) {
    skipRest('the archive does not read');
    await finish();
    return;
  }

  let copy: RestoredCopy | undefined;
  let app: RunningApp | undefined;
  let phase: DrCheckSlug = 'restore';
  // On timeout/SIGINT stop the restored app at once: whatever is smoking it fails fast, and cleanup can start.
  const onAbort = () => void app?.stop().catch(() => undefined);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    copy = await clock.time('restore', () => driver.restore(backup, scratch, ctx.signal));
    emit('restore', { status: 'passed', message: `restored ${backup.id} into ${scratch.name}`, durationMs: clock.get('restore')?.durationMs ?? 0 });

    phase = 'migration-version';
    const restored = copy;
    // The live database is the runbook's DATABASE_URL (or liveDatabaseUrlEnv) — never the scratch server of databaseUrlEnv.
    const live = cfg.compareTo === 'live' ? liveDatabaseUrl(cfg, ctx.settings.runtime, (n) => ctx.secrets.get(n) ?? process.env[n]) : { name: 'DATABASE_URL', url: undefined };
    registerUrlSecret(ctx, live.name, live.url);
    await clock.time('validate', async () => {
      const expected = await expectedMigration(cfg, ctx.settings.rootDir).catch((err: unknown) => {
        throw new EvidenceError(`cannot read the release's migrations: ${errorMessage(err)}`);
      });
      emit('migration-version', await checkMigration(restored.db, expected, migrationSource(cfg), backup.manifest));
      if ([runs('row-counts'), runs('checksums')].includes(false)) return;
      phase = 'row-counts';
      const exp = await expectations(cfg, backup.manifest, live);
      emit('row-counts', exp.missing && cfg.criticalTables.length
        ? { status: 'errored', message: exp.missing }
        : await checkRowCounts(restored.db, cfg.criticalTables, exp.rowCounts, cfg.tolerance, exp.against));
      phase = 'checksums';
      emit('checksums', exp.missing && Object.keys(cfg.checksums).length
        ? { status: 'errored', message: exp.missing }
        : await checkChecksums(restored.db, cfg.checksums, exp.checksums, exp.against));
    });
    await copy.close();
    copy = undefined;

    phase = 'app-on-restored-data';
    if (!runs('app-on-restored-data')) {
      // Not started: the copy is known to be wrong, so the app's answers would only be symptoms.
    } else if (cfg.app) {
      const appCfg = cfg.app;
      const started = await clock.time('start', () =>
        startApp({ command: appCfg.command, env: { ...appCfg.env, ...restored.app.env }, ...(appCfg.baseUrl ? { baseUrl: appCfg.baseUrl } : {}), startTimeoutMs: appCfg.startTimeout, cwd: ctx.settings.rootDir }, restored.app.placeholders, ctx.signal),
      );
      app = started;
      const smoke = await clock.time('smoke', async () => {
        const s = await smokeRestoredApp(ctx, started.baseUrl, appCfg);
        // Errored smoke checks (a browser that cannot start, a missing password) are the harness's: no evidence about the restore.
        if (s.status !== 'passed') throw Object.assign(s.status === 'errored' ? new EvidenceError(s.message) : new Error(s.message), { smoke: s });
        return s;
      });
      emit('app-on-restored-data', { status: 'passed', message: `the app started on ${scratch.name} and passed smoke: ${smoke.message}`, evidence: [{ kind: 'json', label: 'smoke on restored app', data: smoke.data }] });
    } else {
      emit('app-on-restored-data', { status: 'skipped', message: 'no app command configured (stages.dr.app.command)' });
    }

    phase = 'rto';
    if (!runs('rto')) return;
    const rto = cfg.app ? clock.rto() : (clock.get('restore')?.durationMs ?? 0) + (clock.get('validate')?.durationMs ?? 0);
    extra.rtoMs = rto;
    extra.rtoTargetMs = cfg.rtoTarget;
    if (rto === undefined) {
      emit('rto', { status: 'errored', message: 'RTO not measured' });
    } else {
      emit('rto', {
        status: rto <= cfg.rtoTarget ? 'passed' : 'failed',
        onFail: cfg.targetsOnFail,
        message: `restore → ${cfg.app ? 'working app' : 'validated copy (no app configured)'} took ${humanDuration(rto)} (RTO target ${humanDuration(cfg.rtoTarget)})`,
        observed: Math.round(rto),
        limit: cfg.rtoTarget,
        unit: 'ms',
        evidence: [{ kind: 'json', label: 'phases', data: clock.durations() }],
      });
    }
  } catch (err) {
    const aborted = ctx.signal.aborted;
    const smoke = (err as { smoke?: { data: unknown } }).smoke;
    const evidence: CheckFacts['evidence'] = smoke ? [{ kind: 'json', label: 'smoke on restored app', data: smoke.data }] : [];
    if (app && !smoke) evidence.push({ kind: 'text', label: 'app output', text: ctx.redactor.text(app.output()) });
    const harness = isHarnessFault(err);
    if (!gate.has(phase)) {
      const what = phase !== 'app-on-restored-data' ? '' : harness ? 'could not check the app on the restored data: ' : 'the app on the restored data failed: ';
      emit(phase, {
        status: aborted || harness ? 'errored' : 'failed',
        message: aborted ? `interrupted: ${errorMessage(ctx.signal.reason)}` : `${what}${errorMessage(err)}`,
        evidence,
      });
    }
    skipRest(aborted ? 'interrupted' : `not reached: ${phase} ${harness ? 'could not be checked' : 'failed'}`);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await app?.stop().catch(() => undefined);
    await copy?.close().catch(() => undefined);
    await cleanup(ctx, driver, scratch, clock, cfg, emit);
    await finish();
  }
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

async function cleanup(
  ctx: StageContext<DrConfig>,
  driver: RestoreDriver,
  scratch: ScratchRef,
  clock: PhaseClock,
  cfg: DrConfig,
  emit: (slug: DrCheckSlug, facts: CheckFacts) => void,
): Promise<void> {
  // Its own deadline: the run's signal may already be aborted (timeout, SIGINT).
  const signal = AbortSignal.timeout(driver.kind === 'rds' ? Math.max(cfg.cleanupTimeout, cfg.rds.deleteTimeout) : cfg.cleanupTimeout);
  try {
    await clock.time('cleanup', () => driver.drop(scratch, signal));
    emit('cleanup', { status: 'passed', message: `removed ${scratch.name}` });
  } catch (err) {
    emit('cleanup', { status: 'failed', message: `could not remove ${scratch.name}: ${errorMessage(err)} (it carries the run-id tag; \`pdv dr cleanup\` removes it)` });
  }
}
