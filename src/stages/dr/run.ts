import { join } from 'node:path';
import { EvidenceError, errorMessage } from '../../core/errors.ts';
import { writeJsonAtomic } from '../../platform/fs.ts';
import type { StageContext } from '../stage.ts';
import { inProgress } from '../../dr/cleanup.ts';
import { createDriver } from '../../dr/index.ts';
import { sha256File } from '../../dr/manifest.ts';
import { scratchNameFor } from '../../dr/naming.ts';
import { humanDuration, PhaseClock, rpoMs } from '../../dr/timing.ts';
import type { BackupRef, RestoreDriver, ScratchRef } from '../../dr/types.ts';
import type { CheckFacts } from './checks.ts';
import type { DrConfig } from '../../dr/config.ts';
import { DrEmitter } from './phases.ts';
import { onRestoredCopy, type DrRun } from './restored.ts';

// The DR stage: find leftovers, locate the newest backup (RPO), prove the
// archive reads, restore it into a scratch copy tagged with the run id,
// validate the copy, start the app on it and smoke it (RTO), and remove the
// copy on every path — success, failure, timeout and SIGINT.

export interface DrDeps {
  /** Tests inject a driver (e.g. RDS over aws-sdk-client-mock). */
  driver?: RestoreDriver;
  now?: () => Date;
}

export async function runDr(ctx: StageContext<DrConfig>, deps: DrDeps = {}): Promise<void> {
  const cfg: DrConfig = ctx.config;
  const out = new DrEmitter((c) => ctx.check(c));
  if (!cfg.driver && !deps.driver) {
    out.emit('backup-found', { status: 'skipped', message: 'DR is not configured (stages.dr.driver)' });
    return;
  }
  const driver = deps.driver ?? (await createDriver(cfg, { rootDir: ctx.settings.rootDir, runtime: ctx.settings.runtime, env: ctx.settings.env }));
  const scratch: ScratchRef = { name: scratchNameFor(driver.kind, ctx.runId), runId: ctx.runId };
  const run: DrRun = { ctx, cfg, driver, scratch, out, clock: new PhaseClock(), extra: { driver: driver.kind, scratch: scratch.name } };
  try {
    await reportLeftovers(run);
    const backup = await locateBackup(run, deps.now ?? (() => new Date()));
    if (backup && (await archiveReads(run, backup))) await onRestoredCopy(run, backup);
  } finally {
    await finish(run);
  }
}

async function finish({ ctx, clock, extra }: DrRun): Promise<void> {
  extra.phases = clock.phases.map((p) => ({ name: p.name, durationMs: Math.round(p.durationMs ?? 0), ok: p.ok ?? false }));
  ctx.emit({ type: 'extra', key: 'dr', value: ctx.redactor.deep(extra) });
  await writeJsonAtomic(join(ctx.runDir, 'dr', 'dr.json'), ctx.redactor.deep(extra)).catch(() => undefined);
  ctx.emit({ type: 'artifact', artifact: { stage: 'dr', name: 'DR phases', path: 'dr/dr.json', kind: 'json' } });
}

// Leftovers of earlier runs: reported (minor), removed by `pdv dr cleanup`. A copy younger than
// this stage's timeout may be another DR run's, still in progress (a second environment, a
// parallel pipeline): in use, not left over. A copy without a creation time counts as left.
async function reportLeftovers({ ctx, cfg, driver, out, extra }: DrRun): Promise<void> {
  try {
    const others = (await driver.listScratch(ctx.signal)).filter((s) => s.runId !== ctx.runId);
    const inUse = others.filter((s) => inProgress(s, cfg.timeout));
    const left = others.filter((s) => !inUse.includes(s));
    const busy = inUse.length ? ` (${inUse.length} in use by a DR run in progress, younger than the stage timeout: ${inUse.map((l) => l.name).join(', ')})` : '';
    extra.leftovers = left;
    out.emit('leftovers', left.length
      ? { status: 'failed', message: `${left.length} scratch cop${left.length === 1 ? 'y' : 'ies'} from earlier runs: ${left.map((l) => (l.roles?.length ? `${l.name} (roles ${l.roles.join(', ')})` : l.name)).join(', ')} (run \`pdv dr cleanup\`)${busy}`, evidence: [{ kind: 'json', label: 'leftovers', data: left }] }
      : { status: 'passed', message: `no scratch copies from earlier runs${busy}` });
  } catch (err) {
    out.emit('leftovers', { status: 'errored', message: `could not list scratch copies: ${errorMessage(err)}` });
  }
}

/** The newest backup and its age (RPO); undefined (checks emitted, the rest skipped) when there is none. */
async function locateBackup({ ctx, cfg, driver, out, clock, extra }: DrRun, now: () => Date): Promise<BackupRef | undefined> {
  let backup: BackupRef | undefined;
  try {
    backup = await clock.time('locate', () => driver.locate(ctx.signal));
  } catch (err) {
    out.emit('backup-found', { status: 'errored', message: `could not look for backups: ${errorMessage(err)}` });
    out.emit('rpo', { status: 'errored', message: 'no backup time: the backup could not be located' });
    out.skipRest('no backup located');
    return undefined;
  }
  if (!backup) {
    const where = cfg.source.path ?? cfg.source.folder ?? cfg.source.instance ?? 'the configured source';
    out.emit('backup-found', { status: 'failed', message: `no backup found in ${where}` });
    // No backup at all is not a stale backup: there is nothing to recover from.
    out.emit('rpo', { status: 'failed', onFail: 'rollback', message: `no backup: RPO unbounded (target ${humanDuration(cfg.rpoTarget)})`, observed: null, limit: cfg.rpoTarget, unit: 'ms' });
    out.skipRest('no backup to restore');
    return undefined;
  }
  extra.backup = { id: backup.id, createdAt: backup.createdAt.toISOString(), details: backup.details };
  out.emit('backup-found', { status: 'passed', message: `newest backup ${backup.id} (${backup.createdAt.toISOString()})`, evidence: [{ kind: 'json', label: 'backup', data: backup.details }] });

  const rpo = rpoMs(backup.createdAt, now());
  extra.rpoMs = rpo;
  extra.rpoTargetMs = cfg.rpoTarget;
  out.emit('rpo', {
    status: rpo <= cfg.rpoTarget ? 'passed' : 'failed',
    onFail: cfg.targetsOnFail,
    message: `backup is ${humanDuration(rpo)} old (RPO target ${humanDuration(cfg.rpoTarget)})`,
    observed: rpo,
    limit: cfg.rpoTarget,
    unit: 'ms',
  });
  return backup;
}

/** The archive reads: the driver's own proof plus the manifest's size and hash. */
async function archiveReads({ ctx, driver, out, clock }: DrRun, backup: BackupRef): Promise<boolean> {
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
  out.emit('archive-reads', { status: archiveOk.ok ? 'passed' : ctx.signal.aborted || archiveHarness ? 'errored' : 'failed', message: archiveOk.message, evidence: archiveOk.evidence ?? [] });
  if (!archiveOk.ok) out.skipRest('the archive does not read');
  return archiveOk.ok;
}
