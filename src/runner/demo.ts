import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectSecrets, loadConfig } from '../config/load.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { UsageError } from '../core/errors.ts';
import type { RunEvent } from '../core/events.ts';
import type { VerdictReport } from '../core/types.ts';
import { presentedCertificatePem } from '../stages/security/pin.ts';
import { applyDemoDr } from '../../demo/backup.ts';
import { startBlueGreen, useBlueGreenRollback } from '../../demo/bluegreen.ts';
import { FAULTS, unknownFaults } from '../../demo/faults.ts';
import { startDemo } from '../../demo/launch.ts';
import { prometheusAvailable, startPrometheus } from '../../demo/prometheus/launch.ts';
import { reapLeftovers } from '../core/reaper.ts';
import { checkPlan, planStages } from './plan.ts';
import { runVerification, type RunHandle } from './verify.ts';

export const DEMO_CONFIG = fileURLToPath(new URL('../../demo/pdv.config.ts', import.meta.url));
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
  /** Post-verdict actions (the rollback); `pdv demo` wires `prepareRun`. */
  afterVerdict?: (config: ResolvedConfig, secrets: ReadonlyMap<string, string>) => Promise<{ run?: (r: VerdictReport, h: RunHandle) => Promise<void>; release(): Promise<void> }>;
  environ?: NodeJS.ProcessEnv;
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

  const teardown: Array<() => Promise<unknown>> = [];
  try {
    const scratch = await mkdtemp(join(tmpdir(), 'pdv-demo-'));
    teardown.push(() => rm(scratch, { recursive: true, force: true }));
    const backupDir = join(scratch, 'backup');
    const green = { https: true, backupDir };
    const bg = opts.blueGreen ? await startBlueGreen({ faults: opts.faults, env: passwords, green }) : undefined;
    const single = bg ? undefined : await startDemo({ faults: opts.faults, env: passwords, ...green });
    const stopApp = bg ?? single;
    if (stopApp) teardown.push(() => stopApp.stop());
    const baseUrl = bg?.baseUrl ?? single?.baseUrl ?? '';
    const httpsUrl = bg?.green.httpsUrl ?? single?.httpsUrl;

    const config = await loadConfig({ config: DEMO_CONFIG, env: 'demo', baseUrl, apiUrl: bg?.apiUrl ?? single?.apiUrl ?? baseUrl }, environ);
    config.reportsDir = opts.reportsDir;
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

    const stages = planStages(config, opts.stages);
    const secrets = collectSecrets(config, environ);
    await checkPlan({ config, stages, secrets, imports: [] });
    const reaped = await reapLeftovers();
    const actions = opts.afterVerdict ? await opts.afterVerdict(config, secrets) : undefined;
    if (actions) teardown.push(() => actions.release());
    return await runVerification({
      config,
      stages,
      command: `demo${opts.blueGreen ? ' --blue-green' : ''}${opts.faults.map((f) => ` --fault ${f}`).join('')}`,
      partial: Boolean(opts.stages?.length),
      secrets,
      reaped,
      signal: opts.signal,
      ...(opts.out ? { out: opts.out } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      ...(actions?.run ? { afterVerdict: actions.run } : {}),
    });
  } finally {
    for (const step of teardown.reverse()) await step().catch(() => undefined);
  }
}
