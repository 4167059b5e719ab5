import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Redactor } from '../core/redact.ts';
import type { ActionRecord, CheckResult, Environ, Target, VerdictReport } from '../core/types.ts';
import { notifySlack } from './notify.ts';
import type { RetryOptions } from './retry.ts';
import { runRollback } from './rollback/run.ts';
import type { NotifyConfig, PublishConfig, RollbackConfig } from './config.ts';
import type { VerifyInput } from './verify.ts';
import { environmentDispatcher } from '../http/tls.ts';

export { acquireEnvLock, lockPath, type LockHolder, type LockResult } from './lock.ts';
export { verifySignature, signBody, SIGNATURE_HEADER } from './hmac.ts';
export { ledgerPath } from './ledger.ts';

// After the verdict: roll back (at most once per deploy id) and verify the
// rollback, tell the team, publish the verdict as a metric. Actions never
// change the verdict; they return records for verdict.json and the reports.

/** What the actions read of a run's config (a resolved config has all of it). */
export interface ActionsConfig {
  project: string;
  environmentName: string;
  rootDir: string;
  deployId?: string;
  runtime: { awsRegion?: string };
  environment: { rollback?: RollbackConfig | undefined; version?: VerifyInput['version']; trustedCa?: string | string[] | undefined };
  notify?: NotifyConfig;
  publish?: PublishConfig;
  /** The run's environment variables, read once (secrets for webhooks, the report link's CI variables). */
  env: Environ;
}

export interface RunActionsInput {
  report: VerdictReport;
  config: ActionsConfig;
  runDir: string;
  reportsDir: string;
  redactor: Redactor;
  dryRun: boolean;
  signal?: AbortSignal;
  /** Post-rollback verification: the smoke stage against a target (runSmoke). */
  smoke?: (target: Target) => Promise<CheckResult[]>;
  /** Where secrets come from; default the run's environment (`config.env`). */
  env?: NodeJS.ProcessEnv;
  /** Tests inject a fast sleep for retry backoff. */
  sleep?: RetryOptions['sleep'];
}

export async function runActions(input: RunActionsInput): Promise<ActionRecord[]> {
  const { report, config, redactor } = input;
  const env = input.env ?? config.env;
  registerSecrets(config, env, redactor);
  const reportUrl = reportLink(input, env);
  const records: ActionRecord[] = [];

  if (report.verdict === 'rollback') {
    const rollback = config.environment.rollback;
    if (report.partial) {
      records.push(note('rollback', 'skipped', 'Partial run (pdv run): rollback actions fire only from pdv verify.'));
    } else if (!rollback) {
      records.push(note('rollback', 'skipped', `Verdict is rollback but environment ${config.environmentName} has no rollback action configured: roll back by hand.`, { needsPerson: true }));
    } else {
      records.push(
        ...(await runRollback({
          report,
          rollback,
          deployId: config.deployId,
          rootDir: config.rootDir,
          runDir: input.runDir,
          reportsDir: resolve(config.rootDir, input.reportsDir),
          redactor,
          dryRun: input.dryRun,
          env,
          reportUrl,
          signal: input.signal,
          smoke: input.smoke,
          sleep: input.sleep,
          ...(config.environment.version ? { version: config.environment.version } : {}),
          dispatcher: environmentDispatcher(config.environment, config.rootDir),
        })),
      );
    }
  }

  const slack = config.notify?.slack;
  if (slack) {
    records.push(await notifySlack({ report, slack, rollback: [...records], reportUrl, env, redactor, dryRun: input.dryRun, signal: input.signal, sleep: input.sleep }));
  }

  const cw = config.publish?.cloudwatch;
  if (cw?.enabled) {
    // The CloudWatch client loads only when publishing is on (it is ≈ 25 ms of a fast verdict's start).
    const { publishCloudWatch } = await import('./publish.ts');
    records.push(
      await publishCloudWatch({
        report,
        cfg: cw,
        project: config.project,
        region: cw.region ?? config.runtime.awsRegion ?? env.AWS_REGION,
        actions: records,
        redactor,
        dryRun: input.dryRun,
      }),
    );
  }
  // Belt and braces: every record passes the redactor once more on the way out.
  return records.map((r) => redactor.deep(r));
}

/** Secret env vars named by the action config, so no message can leak them. */
function registerSecrets(config: ActionsConfig, env: NodeJS.ProcessEnv, redactor: Redactor): void {
  const names = new Set<string>();
  for (const a of config.environment.rollback?.actions ?? []) {
    if (a.type === 'webhook') {
      if (a.urlEnv) names.add(a.urlEnv);
      if (a.secretEnv) names.add(a.secretEnv);
    }
    if (a.type === 'github') names.add(a.tokenEnv);
  }
  if (config.notify?.slack) names.add(config.notify.slack.webhookEnv);
  for (const n of names) redactor.addSecret(n, env[n]);
}

/** Report link: configured template, $PDV_REPORT_URL, the CI run page, else the local file. */
function reportLink(input: RunActionsInput, env: NodeJS.ProcessEnv): string | undefined {
  const tpl = input.config.notify?.slack?.reportUrl ?? env.PDV_REPORT_URL;
  if (tpl) return tpl.replaceAll('{runId}', input.report.runId).replaceAll('{environment}', input.report.target.environment);
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  return pathToFileURL(join(resolve(input.runDir), 'index.html')).toString();
}

function note(kind: string, status: ActionRecord['status'], message: string, details?: Record<string, unknown>): ActionRecord {
  return { kind, name: kind, status, startedAt: new Date().toISOString(), durationMs: 0, attempts: [], message, ...(details ? { details } : {}) };
}
