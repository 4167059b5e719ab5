import { loginForToken, probeApp } from '../../dr/probe.ts';
import type { StageContext } from '../../core/stage.ts';
import { runSmoke } from '../smoke/run.ts';
import type { DrAppConfig } from './config.ts';

// "The app works on the restored data": the smoke stage's own checks
// (readiness, then the Playwright smoke specs) against the restored app's
// URL, collected rather than emitted — they become one DR check. `probes`
// mode is the light alternative: health (with warm-up), version and a read
// endpoint behind login.

export interface RestoredSmoke {
  ok: boolean;
  message: string;
  data: unknown;
}

export async function smokeRestoredApp(ctx: StageContext, baseUrl: string, app: DrAppConfig): Promise<RestoredSmoke> {
  if (app.smoke === 'smoke') {
    const target = { ...ctx.target, baseUrl, apiUrl: baseUrl };
    const results = await runSmoke(ctx, target, { idPrefix: 'dr.restored-smoke', emit: false });
    const summary = results.map((c) => ({ id: c.id, status: c.status, message: c.message }));
    const bad = results.filter((c) => c.status !== 'passed' && c.status !== 'flaky' && c.status !== 'skipped');
    const passed = results.filter((c) => c.status === 'passed' || c.status === 'flaky').length;
    return {
      ok: passed > 0 && bad.length === 0,
      message: bad.length
        ? bad.map((c) => `${c.id} ${c.status}${c.message ? `: ${c.message}` : ''}`).join('; ')
        : `${passed} smoke check(s) passed`,
      data: summary,
    };
  }
  const login = app.login;
  const results = await probeApp(baseUrl, app.probes, {
    signal: ctx.signal,
    warmupMs: app.startTimeout,
    ...(login
      ? {
          login: async () => {
            const password = ctx.secrets.get(login.passwordEnv) ?? process.env[login.passwordEnv];
            if (!password) throw new Error(`login needs ${login.passwordEnv} in the environment`);
            const token = await loginForToken(baseUrl, login.path, login.username, password, ctx.signal);
            ctx.redactor.addSecret('DR_APP_TOKEN', token);
            return token;
          },
        }
      : {}),
  });
  const bad = results.filter((r) => !r.ok);
  return {
    ok: results.length > 0 && bad.length === 0,
    message: bad.length ? bad.map((r) => r.message).join('; ') : results.map((r) => r.message).join(', '),
    data: results,
  };
}
