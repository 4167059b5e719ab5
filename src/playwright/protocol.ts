import type { CheckResult } from '../core/types.ts';

// What the bridge reporter (inside the Playwright process) streams back to the
// stage, one JSON object per line. Attachments are paths in Playwright's
// scratch output folder; the stage copies (and redacts) them into the run folder.

export interface BridgeAttachment {
  name: string;
  path: string;
  contentType: string;
  /** 0-based retry index of the attempt that produced it. */
  retry: number;
}

export interface BridgeCheckRecord {
  kind: 'check';
  check: CheckResult;
  /** Playwright project the test ran in (e.g. `smoke`, `uat`). */
  project: string;
  attachments: BridgeAttachment[];
  /** Facts a spec reported with `testInfo.annotations.push({ type: 'pdv:observation:<key>', description })`. */
  observations: Record<string, string>;
}

export interface BridgeEndRecord {
  kind: 'end';
  /** Playwright's overall status. */
  status: 'passed' | 'failed' | 'timedout' | 'interrupted';
  /** Errors outside any test (config, global setup, no browser). */
  errors: string[];
  /** Failures of setup projects (their dependants are reported errored). */
  setupErrors: string[];
  /** How many tests the selection matched (0 = nothing selected). */
  selected: number;
}

export type BridgeRecord = BridgeCheckRecord | BridgeEndRecord;

/** Env vars the bridge reporter reads (set by the stage, see run.ts). */
export const BRIDGE_ENV = {
  out: 'PDV_BRIDGE_OUT',
  stage: 'PDV_BRIDGE_STAGE',
  idPrefix: 'PDV_BRIDGE_ID_PREFIX',
} as const;

export const OBSERVATION_ANNOTATION = 'pdv:observation:';
