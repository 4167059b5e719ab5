import { errorMessage } from '../../core/errors.ts';
import type { CheckStatus } from '../../core/types.ts';
import type { MetricSource, Sample } from '../../sources/types.ts';
import type { RuleConfig } from './config.ts';
import { compileExpression, type Value } from './expression.ts';
import { toQuery } from '../../sources/build.ts';
import { sleep } from '../../platform/sleep.ts';

// Argo-Rollouts-style analysis: `count` measurements `interval` apart, each
// Successful / Failed / Inconclusive / Error; limits decide the rule. Unlike
// Argo (#4479, #1466), missing evidence never comes out successful: an empty
// result is inconclusive, an unreadable source is an error, and a rule that
// ends without a conclusive measurement is errored (→ hold).

export type Phase = 'successful' | 'failed' | 'inconclusive' | 'error';

export interface Measurement {
  at: string;
  phase: Phase;
  /** The values the conditions saw (one per series). */
  values: number[];
  labels?: Array<Record<string, string>>;
  message?: string;
}

export interface RuleOutcome {
  status: CheckStatus;
  message: string;
  measurements: Measurement[];
}

/** The names a condition can use: every value, the first one, the first series' labels. */
export const CONDITION_SCOPE = ['result', 'value', 'labels'] as const;

/** Classify one query result against the rule's conditions (pure). */
export function classify(samples: readonly Sample[], rule: Pick<RuleConfig, 'successCondition' | 'failureCondition'>): Pick<Measurement, 'phase' | 'message'> {
  if (samples.length === 0) return { phase: 'inconclusive', message: 'empty result (no series)' };
  const result = samples.map((s) => s.value);
  // NaN (0/0 when there is no traffic) and ±Inf satisfy no comparison honestly: no evidence, never a pass.
  const odd = result.filter((v) => !Number.isFinite(v));
  if (odd.length) return { phase: 'inconclusive', message: `result is not a number (${[...new Set(odd.map(String))].join(', ')}) in ${odd.length} of ${result.length} series` };
  const scope: Record<(typeof CONDITION_SCOPE)[number], Value> = { result, value: result[0]!, labels: samples[0]!.labels };
  try {
    if (rule.failureCondition !== undefined && compileExpression(rule.failureCondition).evaluate(scope)) {
      return { phase: 'failed', message: `failureCondition ${rule.failureCondition} met` };
    }
    if (rule.successCondition !== undefined) {
      if (compileExpression(rule.successCondition).evaluate(scope)) return { phase: 'successful' };
      // Argo: with only a successCondition, not meeting it is a failure; with both, neither is inconclusive.
      return rule.failureCondition === undefined
        ? { phase: 'failed', message: `successCondition ${rule.successCondition} not met` }
        : { phase: 'inconclusive', message: 'neither condition met' };
    }
    return { phase: 'successful' };
  } catch (err) {
    return { phase: 'error', message: `condition: ${errorMessage(err)}` };
  }
}

type Limits = Pick<RuleConfig, 'count' | 'failureLimit' | 'inconclusiveLimit' | 'consecutiveErrorLimit'>;

/** Is the rule decided already (so measuring can stop early)? */
function decided(ms: readonly Measurement[], rule: Limits): boolean {
  const failed = ms.filter((m) => m.phase === 'failed').length;
  const inconclusive = ms.filter((m) => m.phase === 'inconclusive').length;
  return failed > rule.failureLimit || inconclusive > rule.inconclusiveLimit || trailingErrors(ms) > rule.consecutiveErrorLimit;
}

function trailingErrors(ms: readonly Measurement[]): number {
  let n = 0;
  for (let i = ms.length - 1; i >= 0 && ms[i]!.phase === 'error'; i--) n++;
  return n;
}

function maxConsecutiveErrors(ms: readonly Measurement[]): number {
  let run = 0;
  let max = 0;
  for (const m of ms) {
    run = m.phase === 'error' ? run + 1 : 0;
    max = Math.max(max, run);
  }
  return max;
}

/** The rule's status from its measurements (pure). */
export function outcome(ms: readonly Measurement[], rule: Limits): Omit<RuleOutcome, 'measurements'> {
  const count = (p: Phase): number => ms.filter((m) => m.phase === p).length;
  const tally = `${count('successful')} successful, ${count('failed')} failed, ${count('inconclusive')} inconclusive, ${count('error')} error of ${ms.length}`;
  const lastBad = [...ms].reverse().find((m) => m.phase !== 'successful' && m.message)?.message;
  const why = lastBad ? ` — last: ${lastBad}` : '';
  if (count('failed') > rule.failureLimit) return { status: 'failed', message: `failed (limit ${rule.failureLimit}): ${tally}${why}` };
  if (maxConsecutiveErrors(ms) > rule.consecutiveErrorLimit) return { status: 'errored', message: `source errors past consecutiveErrorLimit ${rule.consecutiveErrorLimit}: ${tally}${why}` };
  if (count('inconclusive') > rule.inconclusiveLimit) return { status: 'errored', message: `inconclusive (limit ${rule.inconclusiveLimit}): ${tally}${why}` };
  // Fail safe: errors under the limit are tolerated only when a later measurement was conclusive.
  if (ms.length === 0 || ms[ms.length - 1]!.phase === 'error' || count('successful') + count('failed') === 0) {
    return { status: 'errored', message: `no conclusive measurement: ${tally}${why}` };
  }
  return { status: 'passed', message: tally };
}

export interface RunRuleOptions {
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => Date;
}

export async function runRule(rule: RuleConfig, source: MetricSource, opts: RunRuleOptions = {}): Promise<RuleOutcome> {
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? (() => new Date());
  const measurements: Measurement[] = [];
  for (let i = 0; i < rule.count; i++) {
    if (i > 0) {
      try {
        await sleep(rule.interval, opts.signal);
      } catch {
        break; // aborted: judge what was measured
      }
    }
    const at = now().toISOString();
    try {
      const samples = await source.instant(toQuery(rule), opts.signal ? { signal: opts.signal } : {});
      const c = classify(samples, rule);
      measurements.push({ at, ...c, values: samples.map((s) => s.value), labels: samples.map((s) => s.labels) });
    } catch (err) {
      measurements.push({ at, phase: 'error', values: [], message: errorMessage(err) });
    }
    if (decided(measurements, rule)) break;
  }
  return { ...outcome(measurements, rule), measurements };
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(ms, signal);
}
