import type { Redactor } from '../../core/redact.ts';
import type { VerdictReport } from '../../core/types.ts';
import type { RetryOptions } from '../retry.ts';
import type { TemplateVars } from '../template.ts';

/** What a rollback executor gets. */
export interface ExecContext {
  report: VerdictReport;
  vars: TemplateVars;
  /** Where secrets are read from (the run's environment, `settings.env`). */
  env: NodeJS.ProcessEnv;
  rootDir: string;
  redactor: Redactor;
  signal?: AbortSignal;
  /** Stable across retries and re-runs: `<environment>/<deployId>`. */
  deliveryId: string;
  reportUrl?: string;
  /** Tests inject a fast sleep. */
  sleep?: RetryOptions['sleep'];
}

/** Read a secret from env; registers it with the redactor so it can never be written. */
export function readSecret(ctx: ExecContext, name: string): string | undefined {
  const value = ctx.env[name];
  if (value) ctx.redactor.addSecret(name, value);
  return value || undefined;
}
