import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { acquireFileLock } from '../../actions/lock.ts';
import { UsageError } from '../../core/errors.ts';
import type { ResolvedConfig } from '../../config/types.ts';
import { targetMetricsUrl } from '../../sources/build.ts';
import { takeSample, type SampleOptions } from './sample.ts';
import { assertSoakHostsAllowed } from './hosts.ts';
import { appendTick, lastTick, readPlan, readState, writePlan, writeState } from './store.ts';
import { LOCK_FILE, STATE_FILE, type SoakPlan, type SoakState, type TickRecord } from './types.ts';

// start / tick / run / status. Plain functions returning data; the CLI
// command is a thin wrapper.

export interface StartOptions {
  config: ResolvedConfig;
  /** State folder (default <reportsDir>/soak/<id>/). */
  dir?: string;
  id?: string;
  durationMs?: number;
  intervalMs?: number;
  warmupMs?: number;
  now?: Date;
}

export function newSoakId(now: Date): string {
  return `soak-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export function startSoak(opts: StartOptions): { dir: string; state: SoakState; plan: SoakPlan } {
  const now = opts.now ?? new Date();
  const cfg = opts.config;
  const metrics = cfg.stages.metrics;
  const id = opts.id ?? newSoakId(now);
  if (!/^[A-Za-z0-9._-]{1,120}$/.test(id)) throw new UsageError(`"${id}" is not a soak id (letters, digits, . _ -)`, '--id');
  const dir = resolve(opts.dir ?? join(cfg.reportsDir, 'soak', id));
  if (existsSync(join(dir, STATE_FILE))) throw new UsageError('a soak already lives here; use `pdv soak run|tick|status|judge --state` on it', dir);
  const soak = { ...metrics.soak };
  if (opts.durationMs !== undefined) soak.duration = opts.durationMs;
  if (opts.intervalMs !== undefined) soak.interval = opts.intervalMs;
  if (opts.warmupMs !== undefined) soak.warmup = opts.warmupMs;
  if (!(soak.duration > 0)) throw new UsageError('must be > 0', '--duration');
  if (!(soak.interval > 0) || soak.interval > soak.duration) throw new UsageError('must be > 0 and at most the duration', '--interval');
  const plan: SoakPlan = {
    version: 1,
    id,
    target: { environment: cfg.environmentName, baseUrl: cfg.environment.baseUrl, ...(cfg.environment.apiUrl ? { apiUrl: cfg.environment.apiUrl } : {}), ...(cfg.deployId ? { deployId: cfg.deployId } : {}) },
    soak,
    sources: metrics.sources,
    alarms: metrics.alarms,
    policy: cfg.policy,
    quarantine: cfg.quarantine,
    processMetricsUrl: soak.process.metricsPath ? targetMetricsUrl(cfg.environment.baseUrl, soak.process.metricsPath) : '',
    ...(cfg.runtime.awsRegion ? { awsRegion: cfg.runtime.awsRegion } : {}),
    allowedHosts: [...cfg.environment.allowedHosts],
  };
  assertSoakHostsAllowed(plan, plan.allowedHosts ?? []);
  const state: SoakState = {
    version: 1,
    id,
    createdAt: now.toISOString(),
    startedAt: now.toISOString(),
    durationMs: soak.duration,
    intervalMs: soak.interval,
    endsAt: new Date(now.getTime() + soak.duration).toISOString(),
    ticks: 0,
  };
  mkdirSync(dir, { recursive: true });
  writePlan(dir, plan);
  writeState(dir, state);
  return { dir, state, plan };
}

export interface TickOutcome {
  tick?: TickRecord;
  state: SoakState;
  /** Why no sample was taken. */
  skipped?: string;
}

/**
 * One sample, appended durably. Reads plan.json, state.json and the journal's
 * last record, whatever the soak's length. The journal, not state.json, says
 * which sequence number is next: a kill between the append and the state
 * write must not make the next tick repeat one.
 */
export async function tickSoak(dir: string, opts: Omit<SampleOptions, 'seq'> & { now?: () => Date }): Promise<TickOutcome> {
  const now = opts.now ?? (() => new Date());
  let state = readState(dir);
  if (state.ended) return { state, skipped: `soak ended (${state.ended.reason}) at ${state.ended.at}` };
  const last = lastTick(dir);
  if (last && last.seq > state.ticks) state = { ...state, ticks: last.seq, lastTickAt: last.at };
  if (state.ticks === 0) {
    // The duration counts from the first sample, not from `start` (a scheduler may start it long before).
    const t = now().getTime();
    state = { ...state, startedAt: new Date(t).toISOString(), endsAt: new Date(t + state.durationMs).toISOString() };
  }
  if (now().getTime() >= Date.parse(state.endsAt)) {
    const ended: SoakState = { ...state, ended: { at: now().toISOString(), reason: 'duration', message: `duration ${state.durationMs} ms reached` } };
    writeState(dir, ended);
    return { state: ended, skipped: 'duration reached' };
  }
  const plan = readPlan(dir);
  // Plans written before allowedHosts was recorded were not checked at start.
  if (plan.allowedHosts) assertSoakHostsAllowed(plan, plan.allowedHosts);
  const tick = await takeSample(plan, { ...opts, seq: state.ticks + 1 });
  appendTick(dir, tick);
  const critical = tick.alarms.filter((a) => a.state === 'alarm' && a.severity === 'critical');
  const next: SoakState = { ...state, ticks: state.ticks + 1, lastTickAt: tick.at };
  if (critical.length) {
    next.ended = { at: tick.at, reason: 'critical-alarm', message: `critical alarm ${critical.map((a) => `${a.name} (${a.rawState})`).join(', ')}: soak ended early` };
  }
  writeState(dir, next);
  return { tick, state: next };
}

/** One `run` (or `tick`) per soak folder at a time; a lock left by a killed run (dead pid) is taken over. */
export async function lockSoak(dir: string): Promise<() => Promise<void>> {
  const lock = await acquireFileLock(join(dir, LOCK_FILE), { timeoutMs: 0 });
  if ('timedOut' in lock) throw new UsageError(`another \`pdv soak run\` or \`tick\` (pid ${lock.holder.pid}) is ticking this soak`, dir);
  return lock.release;
}

export interface RunOptions extends Omit<SampleOptions, 'seq'> {
  signal?: AbortSignal;
  onTick?: (t: TickOutcome) => void;
  /** Stop after this many ticks (CI jobs that live shorter than the soak). */
  maxTicks?: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolveSleep) => {
    if (signal?.aborted) return resolveSleep(false);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolveSleep(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      resolveSleep(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Tick on schedule until the duration ends, a critical alarm ends the soak,
 * maxTicks is reached, or the signal aborts. Resumes from state.json: after a
 * kill -9 the next tick is due `interval` after the last one that landed.
 */
export async function runSoak(dir: string, opts: RunOptions): Promise<SoakState> {
  readState(dir); // not a soak folder: say so before taking a lock in it
  const release = await lockSoak(dir);
  try {
    let done = 0;
    for (;;) {
      let state = readState(dir);
      if (state.ended || opts.signal?.aborted) return state;
      if (opts.maxTicks !== undefined && done >= opts.maxTicks) return state;
      const due = state.lastTickAt ? Date.parse(state.lastTickAt) + state.intervalMs : Date.now();
      const wait = Math.min(due, Date.parse(state.endsAt)) - Date.now();
      if (wait > 0 && !(await sleep(wait, opts.signal))) return readState(dir);
      const out = await tickSoak(dir, opts);
      state = out.state;
      if (out.tick) done++;
      opts.onTick?.(out);
      if (state.ended) return state;
    }
  } finally {
    await release();
  }
}

export interface SoakStatus {
  dir: string;
  state: SoakState;
  elapsedMs: number;
  remainingMs: number;
  progress: number;
  nextTickAt?: string;
}

export function soakStatus(dir: string, now = new Date()): SoakStatus {
  const state = readState(dir);
  const start = Date.parse(state.startedAt);
  const end = Date.parse(state.endsAt);
  const t = state.ended ? Date.parse(state.ended.at) : now.getTime();
  return {
    dir,
    state,
    elapsedMs: Math.max(0, t - start),
    remainingMs: state.ended ? 0 : Math.max(0, end - now.getTime()),
    progress: Math.min(1, Math.max(0, (t - start) / (end - start))),
    ...(!state.ended && state.lastTickAt ? { nextTickAt: new Date(Date.parse(state.lastTickAt) + state.intervalMs).toISOString() } : {}),
  };
}
