import type { StageEmittable } from '../core/events.ts';
import type { Redactor } from '../core/redact.ts';
import type { CheckResult } from '../core/types.ts';
import type { RunSettings } from './settings.ts';

/**
 * What library code working on behalf of a stage may use: the run's folder,
 * shared settings, secrets, redactor, abort signal and the event sink. A
 * stage's context has all of it, so a stage passes its own.
 */
export interface RunScope {
  runId: string;
  /** Absolute path of the run folder. */
  runDir: string;
  settings: RunSettings;
  /** Secret values by env-var name. Never write them anywhere. */
  secrets: ReadonlyMap<string, string>;
  redactor: Redactor;
  signal: AbortSignal;
  emit(event: StageEmittable): void;
  check(check: CheckResult): void;
  progress(message: string): void;
}
