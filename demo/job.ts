import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectSecrets, loadConfig } from '../src/config/load.ts';
import { UsageError } from '../src/core/errors.ts';
import { dependencySchema } from '../src/deps/config.ts';
import type { RunEvent } from '../src/core/events.ts';
import type { VerdictReport } from '../src/core/types.ts';
import { presentedCertificatePem } from '../src/http/pin.ts';
import { applyDemoDr } from './backup.ts';
import { startBlueGreen, useBlueGreenRollback } from './bluegreen.ts';
import { FAULTS, unknownFaults } from './faults.ts';
import { startDemo } from './launch.ts';
import { prometheusAvailable, startPrometheus } from './prometheus/launch.ts';
import { redisServerAvailable, startDemoRedis } from './redis-server.ts';
import { planStages } from '../src/jobs/plan.ts';
import { checkPlanTask, reapTask } from '../src/jobs/prepare.ts';
import { runTasks } from '../src/jobs/tasks.ts';
import { actionsTasks, newVerifyRun, outcomeOf, runTaskList } from '../src/jobs/verify.ts';

export const DEMO_CONFIG = fileURLToPath(new URL('./pdv.config.ts', import.meta.url));
const DEMO_MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url));
const PASSWORD_ENVS = ['DEMO_ADMIN_PASSWORD', 'DEMO_EDITOR_PASSWORD', 'DEMO_VIEWER_PASSWORD'];

export function demoFaultNames(): string[] {
  return Object.keys(FAULTS);
}

export interface DemoOptions {
  faults: string[];
  stages?: string[];
  /** Run the previous release (blue) beside the new one (green) behind one URL, with the switch-back rollback. */
  blueGreen?: boolean;
  out?: string;
  reportsDir: string;
  signal: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  onReady?: (info: { baseUrl: string; faults: string[]; blueGreen: boolean; prometheus?: string }) => void;
  /** Run the post-verdict actions (the rollback), as `pdv demo` does; a demo takes no environment lock (each is its own deployment). */
  actions?: boolean;
  environ?: NodeJS.ProcessEnv;
  /** Overrides the demo config's `parallel` (the verdict-time bench and the e2e compare both modes). */
  parallel?: boolean;
}

/**
 * `pdv demo`: start the bundled deployment on loopback (HTTP and HTTPS, a
 * startup backup, a Prometheus scraping it when the binary exists), verify
 * it with demo/pdv.config.ts, and stop everything on every path.
 */
export async function runDemo(opts: DemoOptions): Promise<{ report: VerdictReport; runDir: string; warnings: string[] }> {
  const bad = unknownFaults(opts.faults);
  if (bad.length) throw new UsageError(`unknown fault ${bad.map((b) => `"${b}"`).join(', ')} (faults: ${demoFaultNames().join(', ')})`, '--fault');
  const environ = opts.environ ?? process.env;
  // The demo's users get random passwords unless the caller chose them; pdv reads them as secrets.
  for (const name of PASSWORD_ENVS) environ[name] ||= `pdv-${randomBytes(12).toString('base64url')}`;
  const passwords = Object.fromEntries(PASSWORD_ENVS.map((n) => [n, environ[n] ?? '']));
  const withRedis = redisServerAvailable();
  if (opts.faults.includes('migration-behind') && !environ.DATABASE_URL) throw new UsageError('fault migration-behind needs DATABASE_URL (a real PostgreSQL): the demo\'s default PGlite has no server pdv could probe', '--fault');
  if (opts.faults.includes('cache-down') && !withRedis) throw new UsageError('fault cache-down needs redis-server (apt-get install redis-server, or set PDV_REDIS_BIN): the demo has no cache to stop without it', '--fault');

  const teardown: Array<() => Promise<unknown>> = [];
  try {
    const scratch = await mkdtemp(join(tmpdir(), 'pdv-demo-'));
    teardown.push(() => rm(scratch, { recursive: true, force: true }));
    const backupDir = join(scratch, 'backup');
    // The app's JSON-lines log, read by stages.metrics.logs (demo/applog.ts explains its "before" window).
    const logFile = join(scratch, 'app.jsonl');
    // The demo's cache, probed directly by stages.smoke.dependencies (REDIS_URL, like the runbook's).
    const redis = withRedis ? await startDemoRedis() : undefined;
    if (redis) {
      const previous = environ.REDIS_URL;
      teardown.push(async () => {
        if (previous === undefined) delete environ.REDIS_URL;
        else environ.REDIS_URL = previous;
        await redis.stop();
      });
      environ.REDIS_URL = redis.url;
    }
    const env = { ...passwords, ...(redis ? { REDIS_URL: redis.url } : {}) };
    const green = { https: true, backupDir, logFile };
    const bg = opts.blueGreen ? await startBlueGreen({ faults: opts.faults, env, green }) : undefined;
    const single = bg ? undefined : await startDemo({ faults: opts.faults, env, ...green });
    const stopApp = bg ?? single;
    if (stopApp) teardown.push(() => stopApp.stop());
    // The new release serves from here on: the logs' before/after split.
    const deployTime = new Date().toISOString();
    if (redis && opts.faults.includes('cache-down')) await redis.stop();
    const baseUrl = bg?.baseUrl ?? single?.baseUrl ?? '';
    const httpsUrl = bg?.green.httpsUrl ?? single?.httpsUrl;

    const config = await loadConfig({ config: DEMO_CONFIG, env: 'demo', baseUrl, apiUrl: bg?.apiUrl ?? single?.apiUrl ?? baseUrl }, environ);
    config.reportsDir = opts.reportsDir;
    if (opts.parallel !== undefined) config.parallel = opts.parallel;
    config.stages.metrics.deployTime = deployTime;
    for (const l of config.stages.metrics.logs) if (l.source.type === 'file') l.source.paths = [logFile];
    // The live database's direct probe, when it is a server pdv can reach (DATABASE_URL; fault migration-behind).
    if (environ.DATABASE_URL) config.stages.smoke.dependencies.push(dependencySchema.parse({ type: 'postgres', name: 'db', migrationsDir: DEMO_MIGRATIONS }));
    // The cache's direct probe: the app's /health does not look at the cache (fault cache-down).
    if (redis) config.stages.smoke.dependencies.push(dependencySchema.parse({ type: 'redis', name: 'cache', maxLatency: '50ms' }));
    applyDemoDr(config, backupDir, environ.DATABASE_URL || undefined);
    if (bg) useBlueGreenRollback(config, bg, environ);
    if (httpsUrl) {
      // Pin the certificate of the demo this process started itself (never done for a real target).
      const ca = join(scratch, 'demo-ca.pem');
      await writeFile(ca, await presentedCertificatePem(httpsUrl));
      Object.assign(config.stages.security, { httpsUrl, trustedCa: ca });
    }
    let prometheus: string | undefined;
    if (prometheusAvailable() && config.stages.metrics.enabled) {
      const prom = await startPrometheus({ target: `${baseUrl}/metrics` });
      teardown.push(() => prom.stop());
      await prom.waitForScrape({ expectUp: !opts.faults.includes('metrics-down') }).catch(() => undefined);
      prometheus = prom.url;
      environ.PDV_PROMETHEUS_URL = prom.url;
      config.stages.metrics = {
        ...config.stages.metrics,
        sources: { prom: { type: 'prometheus', urlEnv: 'PDV_PROMETHEUS_URL', timeout: 10_000, upQuery: 'up' } },
        rules: [],
        alarms: [{ names: ['DemoAlarmCondition'], prefixes: [], severity: 'critical' }],
      };
    }
    opts.onReady?.({ baseUrl, faults: opts.faults, blueGreen: Boolean(bg), ...(prometheus ? { prometheus } : {}) });
    // The run reads its environment once, from the config: the demo set variables of its own
    // after loading it (the Prometheus URL, the cache, the switch-back token).
    config.env = Object.freeze({ ...environ });

    const run = newVerifyRun({
      config,
      stages: planStages(config, opts.stages),
      command: `demo${opts.blueGreen ? ' --blue-green' : ''}${opts.faults.map((f) => ` --fault ${f}`).join('')}`,
      partial: Boolean(opts.stages?.length),
      secrets: collectSecrets(config, environ),
      signal: opts.signal,
      ...(opts.out ? { out: opts.out } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
    const actions = opts.actions ? actionsTasks({ dryRun: false, stageSteps: true }) : undefined;
    await runTasks([checkPlanTask, reapTask(), ...runTaskList(actions)], run);
    return outcomeOf(run);
  } finally {
    for (const step of teardown.reverse()) await step().catch(() => undefined);
  }
}
