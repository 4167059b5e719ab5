import { probeApp } from '../../dr/probe.ts';
import type { StageContext } from '../../core/stage.ts';
import type { DrAppConfig } from './config.ts';

// "The app works on the restored data": smoke checks against the restored
// app's URL. Until the smoke stage exposes a runner, the configured probes
// (health with warm-up, version, a read endpoint) stand in for it.

export interface RestoredSmoke {
  ok: boolean;
  message: string;
  data: unknown;
}

export async function smokeRestoredApp(ctx: StageContext, baseUrl: string, app: DrAppConfig): Promise<RestoredSmoke> {
  const results = await probeApp(baseUrl, app.probes, { signal: ctx.signal, warmupMs: app.startTimeout });
  const bad = results.filter((r) => !r.ok);
  return {
    ok: results.length > 0 && bad.length === 0,
    message: bad.length ? bad.map((r) => r.message).join('; ') : results.map((r) => r.message).join(', '),
    data: results,
  };
}
