import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { collectSecrets, loadConfig } from '../config/load.ts';
import { UsageError } from '../core/errors.ts';
import type { RunEvent } from '../core/events.ts';
import type { VerdictReport } from '../core/types.ts';
import { FAULTS, unknownFaults } from '../../demo/faults.ts';
import { startDemo } from '../../demo/launch.ts';
import { planStages } from './plan.ts';
import { runVerification } from './verify.ts';

export const DEMO_CONFIG = fileURLToPath(new URL('../../demo/pdv.config.ts', import.meta.url));
const PASSWORD_ENVS = ['DEMO_ADMIN_PASSWORD', 'DEMO_EDITOR_PASSWORD', 'DEMO_VIEWER_PASSWORD'];

export function demoFaultNames(): string[] {
  return Object.keys(FAULTS);
}

export interface DemoOptions {
  faults: string[];
  stages?: string[];
  out?: string;
  reportsDir: string;
  signal: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  onReady?: (info: { baseUrl: string; faults: string[] }) => void;
  environ?: NodeJS.ProcessEnv;
}

/** `pdv demo`: start the bundled deployment on loopback, verify it, stop it on every path. */
export async function runDemo(opts: DemoOptions): Promise<{ report: VerdictReport; runDir: string }> {
  const bad = unknownFaults(opts.faults);
  if (bad.length) throw new UsageError(`unknown fault ${bad.map((b) => `"${b}"`).join(', ')} (faults: ${demoFaultNames().join(', ')})`, '--fault');
  const environ = opts.environ ?? process.env;
  // The demo's users get random passwords unless the caller chose them; pdv reads them as secrets.
  for (const name of PASSWORD_ENVS) environ[name] ||= `pdv-${randomBytes(12).toString('base64url')}`;
  const passwords = Object.fromEntries(PASSWORD_ENVS.map((n) => [n, environ[n] ?? '']));

  const demo = await startDemo({ faults: opts.faults, env: passwords });
  try {
    opts.onReady?.({ baseUrl: demo.baseUrl, faults: opts.faults });
    const config = await loadConfig({ config: DEMO_CONFIG, env: 'demo', baseUrl: demo.baseUrl, apiUrl: demo.apiUrl }, environ);
    config.reportsDir = opts.reportsDir;
    const stages = planStages(config, opts.stages);
    return await runVerification({
      config,
      stages,
      command: `demo${opts.faults.map((f) => ` --fault ${f}`).join('')}`,
      partial: Boolean(opts.stages?.length),
      secrets: collectSecrets(config, environ),
      signal: opts.signal,
      ...(opts.out ? { out: opts.out } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
  } finally {
    await demo.stop();
  }
}
