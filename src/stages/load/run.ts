import { sharedAuthenticator } from '../../auth/index.ts';
import { caFiles, readCaFiles } from '../../http/tls.ts';
import { EvidenceError, errorMessage, UsageError } from '../../core/errors.ts';
import type { StageContext } from '../stage.ts';
import type { CheckResult } from '../../core/types.ts';
import { isK6SummaryFile, k6SummaryChecks } from '../../load/k6-import.ts';
import { prepare } from '../../load/prepare.ts';
import { runPlan } from '../../load/threads.ts';
import { executorDurationMs } from '../../load/scenario.ts';
import { compareWithBaseline, historyDir, latestBaseline } from './baseline.ts';
import { capacityCheck } from './capacity.ts';
import type { LoadConfig } from './config.ts';
import { resolveLoadPlan } from './plan.ts';
import { loadChecks, summarizeLoad, type Measured } from './results.ts';
import { saveRaw } from './raw.ts';



export async function runLoad(ctx: StageContext<LoadConfig>): Promise<void> {
  const cfg = ctx.config;
  const started = Date.now();

  // `pdv load import-k6` (or `pdv run load --import summary.json`): k6's results become the checks.
  const k6Files = ctx.imports.filter(isK6SummaryFile);
  if (k6Files.length > 0) {
    for (const f of k6Files) for (const c of await k6SummaryChecks(f, cfg)) ctx.check(c);
    return;
  }

  const { loaded, fileLabel, specs, apiUrl } = await resolveLoadPlan(ctx.config, ctx.settings, ctx.target);
  const sc = loaded.scenario;
  const env = ctx.settings.environment;
  const auth = sharedAuthenticator({ environment: ctx.settings.environment, secrets: ctx.secrets, redactor: ctx.redactor, apiUrl: ctx.target.apiUrl ?? ctx.target.baseUrl, baseUrl: ctx.target.baseUrl, rootDir: ctx.settings.rootDir });
  const baseUrl = ctx.target.baseUrl;

  ctx.progress(`load: logging in and preparing ${sc.name}`);
  let prepared;
  try {
    prepared = await prepare({
      scenario: sc,
      file: fileLabel,
      thresholds: loaded.thresholds,
      baseUrl,
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
    return;
  }

  ctx.progress(`load: ${sc.name} running${ctx.segment ? ` (segment ${ctx.segment.index}/${ctx.segment.total})` : ''}`);
  let lastProgress = 0;
  const result = await runPlan(prepared.plan, {
    workers: cfg.workers,
    ...(ctx.segment ? { segment: ctx.segment } : {}),
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
    ...(ctx.segment ? { segment: ctx.segment } : {}),
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

function setupErrored(err: unknown, started: number): CheckResult {
  return {
    id: 'load.setup',
    stage: 'load',
    title: 'Load scenario setup (logins, setup steps)',
    severity: 'major',
    status: 'errored',
    message: `${err instanceof EvidenceError ? '' : 'setup failed: '}${errorMessage(err)}; no load was sent`,
    durationMs: Date.now() - started,
    attempts: 1,
    evidence: [],
  };
}
