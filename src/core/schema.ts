import { z } from 'zod';
import { ON_FAIL, SEVERITIES } from './types.ts';
import { MAX_TIMER_MS, parseDuration, timerLimitProblem } from './duration.ts';

export { MAX_TIMER_MS, parseDuration, timerLimitProblem };

// Building blocks shared by the root schema and each stage's own schema.

export const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name (secrets come from the environment, never the config file)');

export const httpUrl = z
  .string()
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL')
  // Port 0 is no port a server listens on: a config fault, not an unreachable target.
  .refine((s) => !/^[a-z]+:\/\/[^/?#]*:0+(?:[/?#]|$)/i.test(s), 'must not use port 0');

/** "30s", "5m", "48h", "1500ms" or a number of milliseconds, at most MAX_TIMER_MS. */
export const duration = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (e.g. 500ms, 30s, 5m, 48h)` });
    return z.NEVER;
  }
  const tooLong = timerLimitProblem(v, ms);
  if (tooLong) {
    ctx.addIssue({ code: 'custom', message: tooLong });
    return z.NEVER;
  }
  return ms;
});


export const severity = z.enum(SEVERITIES);
export const onFail = z.enum(ON_FAIL);

/** Fields every stage's config has. Stages extend this with `.extend({...})`. */
export const stageBase = z.object({
  enabled: z.boolean().default(true),
  /** The stage is stopped (and its unfinished checks errored) after this long. */
  timeout: duration.default(300_000),
  /** A required stage that produces no checks means missing evidence → hold. */
  required: z.boolean().default(true),
});
