import { existsSync, readFileSync, truncateSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ConfigFlags } from '../config/load.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { UsageError } from '../core/errors.ts';
import { EventLog, EVENTS_FILE } from '../platform/eventlog.ts';
import type { DecisionSource, RunEvent, RunStartEvent, UnstampedEvent } from '../core/events.ts';
import { Redactor } from '../core/redact.ts';
import type { Environ, VerdictReport } from '../core/types.ts';
import { buildVerdict } from '../core/verdict.ts';
import { checklistObservations } from './checklist-evidence.ts';
import { readRunDir, runStartOf, storedPolicy } from './replay.ts';
import { afterVerdict } from './after-verdict.ts';
import { recordAgain, recordVerdict } from './verify.ts';

// A person closes the loop on a run: `pdv decide` records stand/rollback,
// `pdv signoff` records a sign-off. Both append to the run's event log (the
// audit trail) and re-render every report from it; the verdict is recomputed
// by the same policy, and a rollback fires through the verify ledger.

/** The run's environment variables (one type, core's `Environ`). */
export type Env = Environ;

/** Config flags that aim `loadConfig` at the run's own environment, target and deploy. */
export function runConfigFlags(start: RunStartEvent, explicit: string | undefined): ConfigFlags {
  const t = start.target;
  const stored = start.configFile && existsSync(start.configFile) ? start.configFile : undefined;
  const config = explicit ?? stored;
  return {
    ...(config ? { config } : {}),
    env: t.environment,
    baseUrl: t.baseUrl,
    ...(t.apiUrl ? { apiUrl: t.apiUrl } : {}),
    ...(t.deployId ? { deployId: t.deployId } : {}),
  };
}

export function readRun(dir: string): { dir: string; events: RunEvent[]; start: RunStartEvent } {
  const run = readRunDir(dir);
  return { ...run, start: runStartOf(run.events, join(dir, EVENTS_FILE)) };
}

/** Who is acting: in GitHub Actions the actor (a different --by is refused), else --by. */
export function callerOf(by: string | undefined, env: Env): string {
  const actor = env.GITHUB_ACTIONS === 'true' ? env.GITHUB_ACTOR : undefined;
  if (actor) {
    if (by && by.toLowerCase() !== actor.toLowerCase()) throw new UsageError(`"${by}" is not the GitHub actor (${actor}); in GitHub Actions the caller is GITHUB_ACTOR`, '--by');
    return actor;
  }
  const who = by?.trim() || env.GITHUB_ACTOR?.trim();
  if (!who) throw new UsageError('say who decides (--by NAME, or GITHUB_ACTOR in GitHub Actions)', '--by');
  return who;
}

/** Machine and CI run the person acted from; names and ids only, never a token. */
export function sourceOf(env: Env): DecisionSource {
  if (!env.GITHUB_RUN_ID && !env.GITHUB_ACTOR) return { host: hostname() };
  const url = env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  const ci = {
    provider: 'github' as const,
    ...(env.GITHUB_RUN_ID ? { runId: env.GITHUB_RUN_ID } : {}),
    ...(env.GITHUB_ACTOR ? { actor: env.GITHUB_ACTOR } : {}),
    ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
    ...(env.GITHUB_WORKFLOW ? { workflow: env.GITHUB_WORKFLOW } : {}),
    ...(url ? { url } : {}),
  };
  return { host: hostname(), ci };
}

/**
 * May `who` act, given a list of names and group names? No list means anyone
 * (the guard is opt-in). Names compare case-insensitively, as GitHub logins do.
 */
export function allowed(who: string, list: readonly string[] | undefined, groups: Readonly<Record<string, readonly string[]>>): boolean {
  if (!list) return true;
  const me = who.toLowerCase();
  return list.some((entry) => entry.toLowerCase() === me || (groups[entry] ?? []).some((m) => m.toLowerCase() === me));
}

function refuse(who: string, what: string, list: readonly string[], environment: string): never {
  throw new UsageError(
    `${who} may not ${what} on ${environment} (allowed: ${list.join(', ')}); nothing was recorded. This is a workflow guard, not a security boundary (docs/decisions.md)`,
    '--by',
  );
}

interface Common {
  dir: string;
  config: ResolvedConfig;
  by: string | undefined;
  secrets: ReadonlyMap<string, string>;
  changeTicket?: string;
  env?: Env;
}

export interface DecideInput extends Common {
  verdict: 'stand' | 'rollback';
  reason: string;
  override: boolean;
}

export interface Outcome {
  report: VerdictReport;
  runDir: string;
  warnings: string[];
}

/**
 * Append events, then record the verdict from the whole log (recordVerdict);
 * with `actions`, the post-verdict actions of `pdv verify` (the rollback,
 * through its at-most-once ledger) follow and the verdict is recorded again.
 */
async function record(run: ReturnType<typeof readRun>, input: Common, events: UnstampedEvent[], actions = false): Promise<Outcome> {
  const redactor = new Redactor(input.secrets);
  const file = join(run.dir, EVENTS_FILE);
  // A torn last line (a crash mid-write) is already ignored by readers; drop it so the next line starts clean.
  const text = readFileSync(file, 'utf8');
  if (text && !text.endsWith('\n')) truncateSync(file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
  const log = new EventLog(file, redactor);
  // The whole log, old and new, is what the reports are built from.
  const all: RunEvent[] = [...run.events];
  log.onEvent((e) => all.push(e));
  const policy = storedPolicy(run.start);
  try {
    const now = () => new Date().toISOString();
    for (const o of checklistObservations(input.config, input.changeTicket)) log.append({ ...o, at: now() });
    for (const e of events) log.append({ ...e, at: now() } as RunEvent);
    // With actions, the step summary is appended once, by the second record (with the actions in it).
    const first = await recordVerdict(run.dir, all, policy, { redactor, env: input.config.env, deferStepSummary: Boolean(actions) });
    if (!actions) return { ...first, runDir: run.dir };
    const signal = new AbortController().signal;
    await afterVerdict({ report: first.report, config: input.config, runId: run.start.runId, runDir: run.dir, redactor, secrets: input.secrets, signal, dryRun: false, stageSteps: true, record: (e) => log.append(e) });
    return { ...(await recordAgain(first, run.dir, all, policy, { redactor, env: input.config.env })), runDir: run.dir };
  } finally {
    log.close();
  }
}

/** `pdv decide`: checked before anything is written (caller, hold, reversal). */
export async function decideRun(input: DecideInput): Promise<Outcome> {
  const run = readRun(input.dir);
  const env = input.env ?? input.config.env;
  const who = callerOf(input.by, env);
  const environment = input.config.environment;
  if (!allowed(who, environment.approvers, environment.groups)) refuse(who, 'decide', environment.approvers ?? [], input.config.environmentName);
  const reason = input.reason.trim();
  if (!reason) throw new UsageError('say why (the reason is the audit trail)', '--reason');

  const current = buildVerdict(run.events, storedPolicy(run.start));
  const machine = current.decision?.machineVerdict ?? current.verdict;
  const reversing = current.decision !== undefined && current.decision.verdict !== input.verdict;
  if (machine !== 'hold' && !input.override) {
    throw new UsageError(`the run is not on hold (pdv's verdict is ${machine}); pass --override to decide ${input.verdict} anyway (it is shown as an override)`, '--override');
  }
  if (reversing && !input.override) {
    const d = current.decision!;
    throw new UsageError(`${d.by} already decided ${d.verdict} at ${d.at}; pass --override to reverse it`, '--override');
  }
  const decision = { verdict: input.verdict, by: who, reason, machineVerdict: machine, override: machine !== 'hold' || reversing, source: sourceOf(env) };
  return record(run, input, [{ type: 'decision', decision }], input.verdict === 'rollback');
}

export interface SignoffInput extends Common {
  what: string;
  note?: string;
}

/** `pdv signoff`: a sign-off only counts when something asks for it (policy, checklist or an allowed list). */
export async function signoffRun(input: SignoffInput): Promise<Outcome> {
  const run = readRun(input.dir);
  const env = input.env ?? input.config.env;
  const who = callerOf(input.by, env);
  const { environment } = input.config;
  const policy = storedPolicy(run.start);
  const known = new Set([
    ...(policy.requireSignoffs ?? []),
    ...(policy.checklist ?? []).flatMap((i) => (i.signoff ? [i.signoff] : [])),
    ...input.config.checklist.flatMap((i) => (i.signoff ? [i.signoff] : [])),
    ...Object.keys(environment.signoffs),
  ]);
  if (!known.has(input.what)) {
    throw new UsageError(`nothing asks for a "${input.what}" sign-off (known: ${[...known].join(', ') || 'none'}; see policy.requireSignoffs, checklist, environments.<env>.signoffs)`, 'signoff');
  }
  const list = environment.signoffs[input.what] ?? environment.approvers;
  if (!allowed(who, list, environment.groups)) refuse(who, `sign off ${input.what}`, list ?? [], input.config.environmentName);
  const note = input.note?.trim();
  return record(run, input, [{ type: 'signoff', signoff: { what: input.what, by: who, ...(note ? { note } : {}), source: sourceOf(env) } }]);
}
