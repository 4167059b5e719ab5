import { sharedAuthenticator } from '../../auth/index.ts';
import { caFiles, readCaFiles } from '../../http/tls.ts';
import { EvidenceError, errorMessage, UsageError } from '../../core/errors.ts';
import type { StageContext } from '../stage.ts';
import type { CheckResult } from '../../core/types.ts';
import { isK6SummaryFile, k6SummaryChecks } from '../../load/k6-import.ts';
import { isK6RawFile } from '../../load/k6-raw.ts';
import { prepare } from '../../load/prepare.ts';
import { runPlan } from '../../load/threads.ts';
import { executorDurationMs } from '../../load/scenario.ts';
import { compareWithBaseline, historyDir, latestBaseline } from './baseline.ts';
import { capacityCheck } from './capacity.ts';
import type { LoadConfig } from './config.ts';
import { resolveLoadPlan } from './plan.ts';
import { loadChecks, summarizeLoad, type Measured } from './results.ts';
import { saveRaw } from './raw.ts';



/** Signs in as the scenario's roles and builds the engine's plan: a setup fault is errored (the harness's), a usage error propagates. */
async function prepareLoad(ctx: StageContext<LoadConfig>, resolved: Awaited<ReturnType<typeof resolveLoadPlan>>, started: number): Promise<Awaited<ReturnType<typeof prepare>> | undefined> {
  const cfg = ctx.config;
  const { loaded, fileLabel, specs, apiUrl } = resolved;
  const env = ctx.settings.environment;
  const auth = sharedAuthenticator({ environment: env, secrets: ctx.secrets, redactor: ctx.redactor, apiUrl: ctx.target.apiUrl ?? ctx.target.baseUrl, baseUrl: ctx.target.baseUrl, rootDir: ctx.settings.rootDir });
  try {
    return await prepare({
      scenario: loaded.scenario,
      file: fileLabel,
      thresholds: loaded.thresholds,
      baseUrl: ctx.target.baseUrl,
      ...(apiUrl ? { apiUrl } : {}),
      credentials: Object.fromEntries(Object.entries(env.credentials).flatMap(([r, c]) => (c.username && c.passwordEnv ? [[r, { username: c.username, passwordEnv: c.passwordEnv }]] : []))),
      secrets: ctx.secrets,
      ...(env.trustedCa !== undefined ? { ca: readCaFiles(caFiles(env.trustedCa, ctx.settings.rootDir), 'environments.trustedCa') } : {}),
      signIn: async (role) => {
        const session = await auth.session(role, ctx.signal);
        if (!session.ok) throw new EvidenceError(`could not sign in as ${role}: ${session.message}`);
        return session.headers;
      },
      vars: env.vars,
      allowedHosts: env.allowedHosts,
      redactor: ctx.redactor,
      runId: ctx.runId,
      requestTimeoutMs: cfg.requestTimeout,
      abort: { errorRate: cfg.abort.errorRate, windowMs: cfg.abort.window, minRequests: cfg.abort.minRequests },
      // At most ~600 windows per run: a long soak-like run keeps a bounded series.
      windowMs: Math.max(cfg.window, Math.ceil(Math.max(...specs.map(executorDurationMs)) / 600 / 1000) * 1000),
      ...(cfg.duration ? { durationMs: cfg.duration } : {}),
      signal: ctx.signal,
    });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    ctx.check(setupErrored(err, started));
    return undefined;
  }
}

export async function runLoad(ctx: StageContext<LoadConfig>): Promise<void> {
  const cfg = ctx.config;
  const started = Date.now();

  // `pdv load import-k6` (or `pdv run load --import summary.json`): k6's results become the checks.
  const k6Files = ctx.imports.filter(isK6SummaryFile);
  if (k6Files.length > 0) {
    for (const f of k6Files) for (const c of await k6SummaryChecks(f, cfg)) ctx.check(c);
    return;
  }
  // `pdv load import-k6 pod-*.json` with raw `--out json` files: exact HDR histograms over every pod.
  const rawFiles = ctx.imports.filter(isK6RawFile);
  if (rawFiles.length > 0) return (await import('./k6-raw.ts')).importK6RawRun(ctx, rawFiles);

  const resolved = await resolveLoadPlan(ctx.config, ctx.settings, ctx.target);
  const { loaded, fileLabel } = resolved;
  const sc = loaded.scenario;
  ctx.progress(`load: logging in and preparing ${sc.name}`);
  const prepared = await prepareLoad(ctx, resolved, started);
  if (!prepared) return;

  const startAt = ctx.segment?.startAt;
  // A segment that reaches the shared start late would send a burst to catch up: it sends nothing instead.
  if (startAt !== undefined && Date.now() >= startAt) {
    ctx.check(missedStart(startAt, started));
    return;
  }
  ctx.progress(`load: ${sc.name} running${ctx.segment ? ` (segment ${ctx.segment.index}/${ctx.segment.total}${startAt !== undefined ? `, schedule starts at ${new Date(startAt).toISOString()}` : ''})` : ''}`);
  let lastProgress = 0;
  const result = await runPlan(prepared.plan, {
    workers: cfg.workers,
    ...(ctx.segment ? { segment: ctx.segment } : {}),
    ...(startAt !== undefined ? { startAtMs: startAt } : {}),
    signal: ctx.signal,
    onProgress: (p) => {
      if (p.elapsedMs - lastProgress < 2000) return;
      lastProgress = p.elapsedMs;
      ctx.progress(`load: ${(p.elapsedMs / 1000).toFixed(0)} s, ${p.completed} done, ${p.inFlight} in flight, ${p.dropped} dropped`);
    },
  });

  const measured: Measured = {
    recorder: result.recorder,
    elapsedMs: result.elapsedMs,
    workers: result.workers,
    ...(result.abort ? { abort: result.abort } : {}),
    thresholds: loaded.thresholds,
    scenario: sc.name,
    file: fileLabel,
    ...(ctx.segment ? { segment: { index: ctx.segment.index, total: ctx.segment.total } } : {}),
    startedAt: [result.startEpochMs],
  };
  await saveRaw(ctx, measured);
  const summary = summarizeLoad(measured, cfg);
  const checks = loadChecks(measured, summary, cfg, Date.now() - started);
  if (result.abort?.kind === 'signal') for (const c of checks) if (c.status !== 'errored' && c.id !== 'load.engine') Object.assign(c, { status: 'errored', message: `${c.message} — not judged: ${result.abort.reason}` });

  if (cfg.baseline.enabled && !ctx.segment) {
    const outcome = compareWithBaseline(summary, summary.valid && !result.abort ? await latestBaseline(historyDir(ctx.settings), sc.name) : undefined, cfg.baseline);
    if (!summary.valid || result.abort) outcome.check.message = 'skipped: this run was stopped early or is invalid, nothing to compare';
    checks.push(outcome.check);
    if (outcome.detail) summary.baseline = outcome.detail;
  }
  if (cfg.capacity.enabled && !ctx.signal.aborted && !ctx.segment) {
    ctx.progress('load: capacity (closed loop, autocannon)');
    const cap = await capacityCheck(prepared.plan, cfg, ctx.signal);
    checks.push(cap.check);
    if (cap.result) summary.capacity = cap.result;
  }
  for (const c of checks) ctx.check(c);
  ctx.emit({ type: 'extra', key: 'load', value: summary });
}

/** A load stage that sent no load: errored (→ hold), with the reason. */
function noLoad(id: 'load.engine' | 'load.setup', title: string, message: string, started: number): CheckResult {
  return { id, stage: 'load', title, severity: 'major', onFail: 'hold', status: 'errored', message, durationMs: Date.now() - started, attempts: 1, evidence: [] };
}

function missedStart(startAt: number, started: number): CheckResult {
  const late = ((Date.now() - startAt) / 1000).toFixed(1);
  return noLoad('load.engine', 'Load generator kept the schedule', `this segment was ready ${late} s after the shared --start-at ${new Date(startAt).toISOString()}: no load was sent (start the segments earlier or give a later --start-at)`, started);
}

function setupErrored(err: unknown, started: number): CheckResult {
  return noLoad('load.setup', 'Load scenario setup (logins, setup steps)', `${err instanceof EvidenceError ? '' : 'setup failed: '}${errorMessage(err)}; no load was sent`, started);
}
