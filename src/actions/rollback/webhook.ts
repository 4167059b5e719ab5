import type { WebhookAction } from '../config.ts';
import { SIGNATURE_HEADER, signBody } from '../hmac.ts';
import { httpAttempt } from '../http.ts';
import { PermanentError, withRetries, type RetryResult } from '../retry.ts';
import { readSecret, type ExecContext } from './context.ts';

// POST the verdict as JSON, signed with HMAC-SHA256 (see hmac.ts). The same
// Idempotency-Key goes with every retry so the receiver can drop duplicates.

export function webhookDisplay(action: WebhookAction, ctx: ExecContext): string {
  return action.urlEnv ? `$${action.urlEnv}` : ctx.redactor.url(action.url as string);
}

export function describeWebhook(action: WebhookAction, ctx: ExecContext): string {
  const signed = action.secretEnv ? `, signed with the key in $${action.secretEnv}` : ', unsigned';
  return `POST the rollback verdict to ${webhookDisplay(action, ctx)}${signed}`;
}

export function webhookPayload(ctx: ExecContext): Record<string, unknown> {
  const r = ctx.report;
  return {
    event: 'pdv.rollback',
    deliveryId: ctx.deliveryId,
    sentAt: new Date().toISOString(),
    environment: r.target.environment,
    deployId: ctx.vars.deployId,
    verdict: r.verdict,
    version: ctx.vars.version || undefined,
    previousVersion: ctx.vars.previousVersion || undefined,
    baseUrl: r.target.baseUrl,
    runId: r.runId,
    reportUrl: ctx.reportUrl,
    reasons: r.reasons.map(({ checkId, stage, severity, status, message }) => ({ checkId, stage, severity, status, message })),
  };
}

export async function runWebhook(action: WebhookAction, ctx: ExecContext): Promise<RetryResult> {
  const display = webhookDisplay(action, ctx);
  return withRetries(
    async () => {
      const url = action.urlEnv ? readSecret(ctx, action.urlEnv) : action.url;
      if (!url) throw new PermanentError(`$${action.urlEnv} is not set`);
      const secret = action.secretEnv ? readSecret(ctx, action.secretEnv) : undefined;
      if (action.secretEnv && !secret) throw new PermanentError(`$${action.secretEnv} (HMAC key) is not set`);
      // Reasons are already redacted in the report; the body is signed as sent.
      const body = JSON.stringify(ctx.redactor.deep(webhookPayload(ctx)));
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'pdv',
        'idempotency-key': ctx.deliveryId,
        'x-pdv-event': 'rollback',
        'x-pdv-delivery': ctx.deliveryId,
        ...action.headers,
      };
      if (secret) headers[SIGNATURE_HEADER.toLowerCase()] = signBody(secret, body);
      return httpAttempt({ url, display, headers, body, timeoutMs: action.timeout, signal: ctx.signal });
    },
    { ...action, signal: ctx.signal, sleep: ctx.sleep },
  );
}
