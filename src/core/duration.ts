// Durations in config and flags ("30s", "5m", "48h"), without the schema library: the CLI reads flags with these before loading anything heavy.

/** The longest delay a Node timer holds (2^31-1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why `ms` (parsed from `input`) cannot be used as a delay, or undefined when it can. */
export function timerLimitProblem(input: string | number, ms: number): string | undefined {
  if (ms <= MAX_TIMER_MS) return undefined;
  return `${typeof input === 'string' ? `"${input}"` : input} is longer than Node timers can hold (at most 24.8 days, ${MAX_TIMER_MS} ms)`;
}

export function parseDuration(s: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 'ms' | 's' | 'm' | 'h' | 'd'];
  return n * factor;
}
