import type { DrConfig } from '../../dr/config.ts';
import { sharedAuthenticator } from '../../auth/index.ts';
import { probeApp } from '../../dr/probe.ts';
import { evaluate } from '../../http/expect.ts';
import type { StageContext } from '../stage.ts';
import type { CheckResult } from '../../core/types.ts';
import type { DrAppConfig } from '../../dr/config.ts';

// "The app works on the restored data": the smoke stage's own checks
// (readiness, then the Playwright smoke specs) against the restored app's
// URL, collected rather than emitted — they become one DR check. `probes`
// mode is the light alternative: health (with warm-up), the configured
// paths, behind a login when one is configured.

export interface RestoredSmoke {
  /** failed: evidence the app does not work on the copy; errored: the harness could not tell (→ hold). */
  status: 'passed' | 'failed' | 'errored';
  message: string;
  data: unknown;
}

/** One verdict over the smoke checks: a failure is evidence; errored or nothing passed is missing evidence. */
export function judgeRestoredSmoke(results: readonly Pick<CheckResult, 'id' | 'status' | 'message'>[]): Omit<RestoredSmoke, 'data'> {
  const failed = results.filter((c) => c.status === 'failed');
  const errored = results.filter((c) => c.status === 'errored');
  const passed = results.filter((c) => c.status === 'passed' || c.status === 'flaky').length;
  const list = (cs: typeof results) => cs.map((c) => `${c.id} ${c.status}${c.message ? `: ${c.message}` : ''}`).join('; ');
  if (failed.length) return { status: 'failed', message: list([...failed, ...errored]) };
  if (errored.length) return { status: 'errored', message: list(errored) };
  if (passed === 0) return { status: 'errored', message: 'no smoke check passed or failed on the restored app (nothing ran)' };
  return { status: 'passed', message: `${passed} smoke check(s) passed` };
}

export async function smokeRestoredApp(ctx: StageContext<DrConfig>, baseUrl: string, app: DrAppConfig): Promise<RestoredSmoke> {
  if (app.smoke === 'smoke') {
    const target = { ...ctx.target, baseUrl, apiUrl: baseUrl };
    // The deploy's own first checks (readiness, sign-in, version, declared checks), on the restored copy.
    if (!ctx.reverify) return { status: 'errored', message: 'app.smoke is "smoke" but no stage of this run offers re-verification', data: null };
    const results = await ctx.reverify(target, 'dr.restored-smoke');
    return { ...judgeRestoredSmoke(results), data: results.map((c) => ({ id: c.id, status: c.status, message: c.message })) };
  }
  const env = ctx.settings.environment;
  const health = env.health;
  const healthPath = health.path ?? '/';
  const auth = app.role
    ? sharedAuthenticator({ environment: ctx.settings.environment, secrets: ctx.secrets, redactor: ctx.redactor, apiUrl: baseUrl, baseUrl, rootDir: ctx.settings.rootDir })
    : undefined;
  const role = app.role;
  const results = await probeApp(baseUrl, app.probes, {
    signal: ctx.signal,
    warmupMs: app.startTimeout,
    // The health path is judged by what the environment calls ready.
    judge: (path, answer) => (path === healthPath ? evaluate(health.ready, answer) : []),
    ...(auth && role
      ? {
          login: async () => {
            const s = await auth.session(role, ctx.signal);
            if (!s.ok) throw new Error(s.message);
            return s.headersFor(baseUrl);
          },
        }
      : {}),
  });
  const bad = results.filter((r) => !r.ok);
  return {
    status: results.length === 0 ? 'errored' : bad.length === 0 ? 'passed' : 'failed',
    message: results.length === 0 ? 'no probes configured (stages.dr.app.probes)' : bad.length ? bad.map((r) => r.message).join('; ') : results.map((r) => r.message).join(', '),
    data: results,
  };
}
