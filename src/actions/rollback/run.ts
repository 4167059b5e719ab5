import { hostname } from 'node:os';
import { relative } from 'node:path';
import { errorMessage } from '../../core/errors.ts';
import type { Redactor } from '../../core/redact.ts';
import type { ActionRecord, VerdictReport } from '../../core/types.ts';
import type { RollbackConfig } from '../config.ts';
import { claim, ledgerPath, newEntry, update, type LedgerEntry } from '../ledger.ts';
import { processAlive } from '../../platform/proc.ts';
import { actionName, describeAction, executeAction, type ExecContext } from './index.ts';
import type { RetryOptions } from '../retry.ts';
import type { Dispatcher } from 'undici';
import { templateVars } from '../template.ts';
import { verifyAfterRollback, type VerifyInput, type SmokeFn } from '../verify.ts';

// Fires the environment's rollback actions at most once per deploy id (see
// ledger.ts), then verifies the environment came back healthy.

export interface RollbackInput {
  report: VerdictReport;
  rollback: RollbackConfig;
  deployId?: string;
  rootDir: string;
  runDir: string;
  reportsDir: string;
  redactor: Redactor;
  dryRun: boolean;
  env: NodeJS.ProcessEnv;
  reportUrl?: string;
  signal?: AbortSignal;
  smoke?: SmokeFn;
  sleep?: RetryOptions['sleep'];
  /** The run's transport to the target (its private CA trusted), for the probes after the rollback. */
  dispatcher?: Dispatcher | undefined;
  /** The environment's version endpoint, read after the rollback. */
  version?: VerifyInput['version'];
}

interface Ledgered {
  file: string;
  entry: LedgerEntry;
  ledgerRel: string;
  deployId: string;
  ctx: ExecContext;
}

/** One rollback action under the ledger: its intent recorded first (no durable intent, no firing), then fired, then its outcome. */
async function fireAction(action: RollbackConfig['actions'][number], name: string, slot: LedgerEntry['actions'][number], l: Ledgered): Promise<{ ok: boolean; record: ActionRecord }> {
  const { file, entry, ledgerRel, deployId, ctx } = l;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  // Intent first: a crash from here on leaves a ledger that stops any re-fire.
  slot.state = 'intent';
  slot.at = startedAt;
  try {
    await update(file, entry);
  } catch (err) {
    // Without a durable intent a crash could lead to a second firing: do not fire.
    return { ok: false, record: note('failed', name, `Could not record the intent in the ledger (${ledgerRel}): ${errorMessage(err)}; the rollback did NOT fire. Roll back by hand.`, { needsPerson: true, ledger: ledgerRel }) };
  }
  const result = await executeAction(action, ctx);
  slot.state = result.ok ? 'succeeded' : 'failed';
  slot.message = ctx.redactor.text(result.last.message);
  // If this write fails the ledger keeps "intent": later runs then hold for a person, never re-fire.
  const ledgerError = await update(file, entry).then(
    () => undefined,
    (err: unknown) => errorMessage(err),
  );
  const what = describeAction(action, ctx);
  const tries = `${result.attempts.length} attempt${result.attempts.length === 1 ? '' : 's'}`;
  const record: ActionRecord = {
    kind: 'rollback',
    name,
    status: result.ok ? 'succeeded' : 'failed',
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    attempts: result.attempts.map((a) => ({ ...a, message: ctx.redactor.text(a.message) })),
    message: ctx.redactor.text(result.ok ? `Rolled back: ${what} (${tries})` : `ROLLBACK FAILED: ${what} — ${result.last.message} (${tries}). Roll back by hand.`),
    details: ctx.redactor.deep({
      deployId,
      ledger: ledgerRel,
      action: action.type,
      ...(result.last.data ? { last: result.last.data } : {}),
      ...(result.ok ? {} : { needsPerson: true }),
      ...(ledgerError ? { ledgerError } : {}),
    }),
  };
  return { ok: result.ok, record };
}

export async function runRollback(input: RollbackInput): Promise<ActionRecord[]> {
  const { report, rollback } = input;
  const environment = report.target.environment;
  const failedVersion = report.target.observedVersion ?? report.target.expectedVersion;
  const deployId = input.deployId ?? report.target.deployId ?? (failedVersion ? `version-${failedVersion}` : undefined);
  if (!deployId) {
    return [note('skipped', 'rollback', 'No deploy id and no version: pdv cannot make sure the rollback fires only once, so it did not fire. Roll back by hand, or pass --deploy-id.', { needsPerson: true })];
  }
  const previousVersion = rollback.verify.previousVersion ?? (input.env.PDV_PREVIOUS_VERSION || undefined);
  const vars = templateVars(report, { deployId, previousVersion, runDir: input.runDir });
  const ctx: ExecContext = {
    report,
    vars,
    env: input.env,
    rootDir: input.rootDir,
    redactor: input.redactor,
    signal: input.signal,
    deliveryId: `${environment}/${deployId}`,
    reportUrl: input.reportUrl,
    sleep: input.sleep,
  };
  const file = ledgerPath(input.reportsDir, environment, deployId);
  const ledgerRel = relative(input.reportsDir, file);
  const names = rollback.actions.map(actionName);

  if (input.dryRun) {
    const out = rollback.actions.map((a, i) =>
      note('dry-run', names[i] as string, `Would ${describeAction(a, ctx)} (deploy ${deployId}; at most once, ledger ${ledgerRel})`),
    );
    if (rollback.verify.enabled) {
      const v = rollback.verify;
      out.push({ ...note('dry-run', 'verify', `Would wait up to ${v.timeout} ms for ${v.versionPath ?? input.version?.path ?? '(no version endpoint: smoke only)'} to report ${previousVersion ?? `a version other than ${failedVersion ?? 'the failed one'}`}, then run the smoke checks`), kind: 'post-rollback' });
    }
    return out;
  }

  const entry = newEntry(environment, deployId, report.runId, rollback.actions.map((a, i) => ({ name: names[i] as string, kind: a.type, state: 'pending' })));
  let claimed;
  try {
    claimed = await claim(file, entry);
  } catch (err) {
    return [note('failed', 'rollback', `Could not write the at-most-once ledger (${ledgerRel}): ${errorMessage(err)}; the rollback did NOT fire. Roll back by hand.`, { needsPerson: true, ledger: ledgerRel })];
  }
  if (!claimed.claimed) return [alreadyHandled(claimed.existing, deployId, ledgerRel)];

  const records: ActionRecord[] = [];
  let allOk = true;
  for (const [i, action] of rollback.actions.entries()) {
    const name = names[i] as string;
    const slot = entry.actions[i] as LedgerEntry['actions'][number];
    if (!allOk) {
      slot.state = 'skipped';
      records.push(note('skipped', name, 'Not run: an earlier rollback action failed'));
      continue;
    }
    const fired = await fireAction(action, name, slot, { file, entry, ledgerRel, deployId, ctx });
    allOk &&= fired.ok;
    records.push(fired.record);
  }
  entry.state = 'done';
  entry.result = allOk ? 'succeeded' : 'failed';
  entry.finishedAt = new Date().toISOString();
  await update(file, entry).catch(() => undefined); // a stale "intent" is the safe leftover

  if (allOk && rollback.verify.enabled) {
    records.push(
      await verifyAfterRollback({
        target: report.target,
        cfg: rollback.verify,
        ...(input.version ? { version: input.version } : {}),
        previousVersion,
        failedVersion,
        smoke: input.smoke,
        redactor: input.redactor,
        signal: input.signal,
        dispatcher: input.dispatcher,
      }),
    );
  }
  return records;
}

function alreadyHandled(existing: LedgerEntry | undefined, deployId: string, ledgerRel: string): ActionRecord {
  const details = { deployId, ledger: ledgerRel, previous: existing ? { runId: existing.runId, state: existing.state, result: existing.result ?? null, at: existing.finishedAt ?? existing.intentAt } : null };
  if (existing?.state === 'done') {
    const how = existing.result === 'succeeded' ? 'succeeded' : 'FAILED — a person must act';
    return note('skipped', 'rollback', `Rollback for deploy ${deployId} already fired by run ${existing.runId} at ${existing.finishedAt ?? existing.intentAt} (${how}); not fired again (at most once per deploy).`, {
      ...details,
      ...(existing.result === 'succeeded' ? {} : { needsPerson: true }),
    });
  }
  if (existing && existing.host === hostname() && existing.pid !== process.pid && processAlive(existing.pid)) {
    return note('skipped', 'rollback', `Rollback for deploy ${deployId} is in progress in run ${existing.runId} (pid ${existing.pid}); not fired again.`, details);
  }
  const inFlight = existing?.actions.find((a) => a.state === 'intent')?.name;
  // Failed, not skipped: the rollback is unconfirmed, which must be the loudest line of the report.
  return note(
    'failed',
    'rollback',
    `Rollback outcome UNKNOWN for deploy ${deployId}: run ${existing?.runId ?? '?'} recorded the intent${inFlight ? ` (action ${inFlight} was in flight)` : ''} but no result — it may or may not have fired. Not fired again; a person must check the environment and then delete ${ledgerRel} to allow another rollback.`,
    { ...details, needsPerson: true, outcome: 'unknown' },
  );
}

function note(status: ActionRecord['status'], name: string, message: string, details?: Record<string, unknown>): ActionRecord {
  return { kind: 'rollback', name, status, startedAt: new Date().toISOString(), durationMs: 0, attempts: [], message, ...(details ? { details } : {}) };
}
