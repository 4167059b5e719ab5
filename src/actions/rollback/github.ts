import type { GithubAction } from '../config.ts';
import { httpAttempt } from '../http.ts';
import { fill } from '../template.ts';
import { PermanentError, withRetries, type RetryResult } from '../retry.ts';
import { readSecret, type ExecContext } from './context.ts';

// Dispatch a GitHub Actions workflow (e.g. "redeploy the previous release"):
// POST /repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches → 204.

function endpoint(action: GithubAction): string {
  const base = action.apiUrl.replace(/\/+$/, '');
  return `${base}/repos/${action.repository}/actions/workflows/${encodeURIComponent(String(action.workflow))}/dispatches`;
}

export function describeGithub(action: GithubAction, ctx: ExecContext): string {
  const inputs = Object.entries(action.inputs).map(([k, v]) => `${k}=${fill(v, ctx.vars)}`);
  return ctx.redactor.text(
    `dispatch workflow ${action.workflow} in ${action.repository} on ${action.ref}${inputs.length ? ` with ${inputs.join(', ')}` : ''} (token from $${action.tokenEnv})`,
  );
}

export async function runGithub(action: GithubAction, ctx: ExecContext): Promise<RetryResult> {
  const display = `GitHub ${action.repository} workflow ${action.workflow}`;
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, fill(v, ctx.vars)]));
  return withRetries(
    async () => {
      const token = readSecret(ctx, action.tokenEnv);
      if (!token) throw new PermanentError(`$${action.tokenEnv} is not set`);
      return httpAttempt({
        url: endpoint(action),
        display,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'user-agent': 'pdv',
          'x-github-api-version': '2022-11-28',
        },
        body: JSON.stringify({ ref: action.ref, inputs }),
        timeoutMs: action.timeout,
        signal: ctx.signal,
        // A 403 with no requests left is a rate limit, not a refusal.
        transient: (res) => res.status === 403 && res.headers.get('x-ratelimit-remaining') === '0',
      });
    },
    { ...action, signal: ctx.signal, sleep: ctx.sleep },
  );
}
