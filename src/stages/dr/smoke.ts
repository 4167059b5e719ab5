import { loginForToken, probeApp } from '../../dr/probe.ts';
import type { StageContext } from '../../core/stage.ts';
import type { DrAppConfig } from './config.ts';

// "The app works on the restored data": smoke checks against the restored
// app's URL. Until the smoke stage exposes a runner, the configured probes
// (health with warm-up, version, a read endpoint behind login) stand in.

export interface RestoredSmoke {
  ok: boolean;
  message: string;
  data: unknown;
}

export async function smokeRestoredApp(ctx: StageContext, baseUrl: string, app: DrAppConfig): Promise<RestoredSmoke> {
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
