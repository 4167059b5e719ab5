import type { ActionRecord, Artifact, ChecklistItem, CheckResult, DecisionSource, OnFail, Severity, StageSummary, Target, Verdict } from './types.ts';

export type { DecisionSource } from './types.ts';

// The event log (events.jsonl in the run folder) is the source of truth:
// every report, `pdv report` and `pdv merge` are built by replaying it.

/**
 * The format of events.jsonl, stamped on its run.start event. 1: logs written
 * before the format was stamped; 2: a failed or errored check always carries
 * a message. `upgradeEvents` brings an older log up to this one.
 */
export const EVENTS_FORMAT = 2;

export interface RunStartEvent {
  type: 'run.start';
  at: string;
  /** EVENTS_FORMAT of the pdv that wrote the log (absent: format 1). */
  format?: number;
  runId: string;
  command: string;
  target: Target;
  /** Stages planned for this run, in order. */
  plan: string[];
  /** Stages whose absence of checks means "missing evidence". */
  required: string[];
  partial: boolean;
  /** Selection, for on-demand runs and shards. */
  grep?: string;
  shard?: { index: number; total: number };
  /** `startAt`: epoch ms of `--start-at`, the instant every segment's schedule starts at. */
  segment?: { index: number; total: number; startAt?: number };
  /** The policy in force, so `pdv report` and `pdv merge` replay the same decision. */
  policy?: {
    majorBudget: number;
    flakyAsFailed: boolean;
    overrides: ReadonlyArray<{ match: string; severity?: Severity; onFail?: OnFail; dryRun?: boolean }>;
    quarantine: ReadonlyArray<{ checkId: string; owner: string; expires: string; reason?: string }>;
    /** Sign-offs the verdict waits for (`policy.requireSignoffs`). */
    requireSignoffs?: readonly string[];
    /** The pre-production checklist, so replays show the same items. */
    checklist?: readonly ChecklistItem[];
  };
  /** The config file the run used, so `pdv decide` finds its approvers and rollback. */
  configFile?: string;
}

export interface StageStartEvent {
  type: 'stage.start';
  at: string;
  stage: string;
}

export interface CheckEvent {
  type: 'check';
  at: string;
  check: CheckResult;
}

export interface StageEndEvent {
  type: 'stage.end';
  at: string;
  stage: StageSummary;
}

/** A fact observed about the target (e.g. observedVersion). */
export interface ObservationEvent {
  type: 'observation';
  at: string;
  key: 'observedVersion' | string;
  value: string | number | boolean;
}

export interface ArtifactEvent {
  type: 'artifact';
  at: string;
  artifact: Artifact;
}

/** Stage-specific summary data for reports (load percentiles, security grade…). */
export interface ExtraEvent {
  type: 'extra';
  at: string;
  key: string;
  value: unknown;
}

export interface ProgressEvent {
  type: 'progress';
  at: string;
  stage: string;
  message: string;
}

export interface ActionEvent {
  type: 'action';
  at: string;
  action: ActionRecord;
}

/** Where a person acted from: the machine, and the CI run when there is one. Never a secret. */

/** A person's decision on the run (`pdv decide`); the last one wins. */
export interface DecisionEvent {
  type: 'decision';
  at: string;
  decision: {
    verdict: 'stand' | 'rollback';
    by: string;
    reason: string;
    /** The machine verdict when the person decided. */
    machineVerdict: Verdict;
    /** Decided a run that was not on hold (or reversed an earlier decision). */
    override: boolean;
    source: DecisionSource;
  };
}

/** A recorded sign-off (`pdv signoff <run> uat`); policy.requireSignoffs holds until it exists. */
export interface SignoffEvent {
  type: 'signoff';
  at: string;
  signoff: { what: string; by: string; note?: string; source: DecisionSource };
}

export interface RunEndEvent {
  type: 'run.end';
  at: string;
  interrupted: boolean;
  /** Why the run ended early, if it did (deadline, SIGINT, fail-fast). */
  reason?: string;
}

export type RunEvent =
  | RunStartEvent
  | StageStartEvent
  | CheckEvent
  | StageEndEvent
  | ObservationEvent
  | ArtifactEvent
  | ExtraEvent
  | ProgressEvent
  | ActionEvent
  | DecisionEvent
  | SignoffEvent
  | RunEndEvent;

/** Events a stage may emit; the orchestrator stamps and records them. */
export type StageEmittable =
  | Omit<CheckEvent, 'at'>
  | Omit<ObservationEvent, 'at'>
  | Omit<ArtifactEvent, 'at'>
  | Omit<ExtraEvent, 'at'>
  | Omit<ProgressEvent, 'at'>;

/** An event before the log stamps its time. */
export type UnstampedEvent = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'at'> : never) : never;
