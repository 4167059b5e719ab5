import type { CheckStatus, Evidence } from '../core/types.ts';

// What one probe of one dependency found. Each assertion is a fact; the
// outcome's status is computed from them (see outcomeOf).

export interface Assertion {
  /** What was asserted, e.g. "select 1", "migration version", "cluster_state". */
  name: string;
  ok: boolean;
  detail: string;
}

export interface ProbeOutcome {
  status: Extract<CheckStatus, 'passed' | 'failed' | 'errored'>;
  message: string;
  assertions: Assertion[];
  evidence: Evidence[];
  /** The measured figure, where there is one (round-trip ms, migration version). */
  observed?: number | string;
  limit?: number | string;
  unit?: string;
}

/** Failed when an assertion failed (the first one names the failure), else passed. */
export function outcomeOf(assertions: Assertion[], passedMessage: string, extra: Partial<ProbeOutcome> = {}): ProbeOutcome {
  const bad = assertions.find((a) => !a.ok);
  return {
    status: bad ? 'failed' : 'passed',
    message: bad ? `${bad.name}: ${bad.detail}` : passedMessage,
    assertions,
    evidence: [{ kind: 'json', label: 'assertions', data: assertions }],
    ...extra,
  };
}

/** The harness's own fault (aborted, a bad input it could not know before): no evidence about the target. */
export function harnessFault(message: string, assertions: Assertion[] = []): ProbeOutcome {
  return { status: 'errored', message, assertions, evidence: assertions.length ? [{ kind: 'json', label: 'assertions', data: assertions }] : [] };
}
