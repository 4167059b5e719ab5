import type { Redactor } from '../core/redact.ts';
import type { ActionRecord, VerdictReport } from '../core/types.ts';
import type { SlackConfig } from './config.ts';
import { httpAttempt } from './http.ts';
import { PermanentError, withRetries, type RetryOptions } from './retry.ts';

// Slack incoming webhook: verdict, environment, version, the top reasons,
// what the rollback did, and a link to the report. The URL is a secret.

const ICON = { stand: ':white_check_mark:', hold: ':warning:', rollback: ':rotating_light:' } as const;

export interface NotifyInput {
  report: VerdictReport;
  slack: SlackConfig;
  /** Records of the rollback and its verification, reported in the message. */
  rollback: ActionRecord[];
  reportUrl?: string;
  env: NodeJS.ProcessEnv;
  redactor: Redactor;
  dryRun: boolean;
  signal?: AbortSignal;
  sleep?: RetryOptions['sleep'];
}

export function slackMessage(input: Pick<NotifyInput, 'report' | 'slack' | 'rollback' | 'reportUrl'>): { text: string; blocks: unknown[] } {
  const r = input.report;
  const version = r.target.observedVersion ?? r.target.expectedVersion ?? 'unknown version';
  const deploy = r.target.deployId ? ` (deploy ${r.target.deployId})` : '';
  const head = `${ICON[r.verdict]} *${r.verdict.toUpperCase()}* — ${r.target.environment} ${version}${deploy}${r.partial ? ' (partial run)' : ''}`;
  const reasons = r.reasons.slice(0, input.slack.topReasons).map((x) => `• \`${x.checkId}\` ${x.severity} ${x.status}: ${x.message}`);
  const more = r.reasons.length > input.slack.topReasons ? [`…and ${r.reasons.length - input.slack.topReasons} more`] : [];
  const actions = input.rollback.map((a) => `${a.status === 'failed' || a.details?.needsPerson ? ':bangbang: ' : ''}${a.kind} ${a.name}: ${a.status} — ${a.message}`);
  const link = input.reportUrl ? `<${input.reportUrl}|Report ${r.runId}>` : `Report ${r.runId}`;
  const lines = [head, ...(reasons.length ? ['*Reasons*', ...reasons, ...more] : []), ...(actions.length ? ['*Actions*', ...actions] : []), link];
  const text = lines.join('\n');
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 2_900) } }] };
}

export async function notifySlack(input: NotifyInput): Promise<ActionRecord> {
  const { slack, report } = input;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const base = { kind: 'notify', name: 'slack', startedAt };
  if (!slack.on.includes(report.verdict)) {
    return { ...base, status: 'skipped', durationMs: 0, attempts: [], message: `Slack: not sent for ${report.verdict} (on: ${slack.on.join(', ')})` };
  }
  const display = `Slack webhook $${slack.webhookEnv}`;
  const body = JSON.stringify(input.redactor.deep(slackMessage(input)));
  if (input.dryRun) {
    return { ...base, status: 'dry-run', durationMs: 0, attempts: [], message: `Would post the ${report.verdict} verdict to ${display}` };
  }
  const result = await withRetries(
    async () => {
      const url = input.env[slack.webhookEnv];
      if (!url) throw new PermanentError(`$${slack.webhookEnv} is not set`);
      input.redactor.addSecret(slack.webhookEnv, url);
      return httpAttempt({ url, display, headers: { 'content-type': 'application/json', 'user-agent': 'pdv' }, body, timeoutMs: slack.timeout, signal: input.signal });
    },
    { ...slack, signal: input.signal, sleep: input.sleep },
  );
  return {
    ...base,
    status: result.ok ? 'succeeded' : 'failed',
    durationMs: Math.round(performance.now() - t0),
    attempts: result.attempts.map((a) => ({ ...a, message: input.redactor.text(a.message) })),
    message: input.redactor.text(result.ok ? `Slack: posted the ${report.verdict} verdict` : `Slack notification failed: ${result.last.message}`),
  };
}
