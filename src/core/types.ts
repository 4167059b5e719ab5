
// The data every stage, reporter and action shares. Facts are stored here;
// outcomes (the verdict) are computed by policy().

export const SEVERITIES = ['critical', 'major', 'minor'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CHECK_STATUSES = ['passed', 'failed', 'flaky', 'skipped', 'errored'] as const;
/** errored = the harness could not obtain evidence. */
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export const ON_FAIL = ['rollback', 'hold', 'warn'] as const;
export type OnFail = (typeof ON_FAIL)[number];

export const VERDICTS = ['stand', 'rollback', 'hold'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * One piece of evidence attached to a check. Everything here is already
 * redacted (see core/redact.ts) before it reaches the event log.
 */
export interface Evidence {
  kind: 'text' | 'json' | 'http' | 'file' | 'metric' | 'link';
  label: string;
  /** kind=file: path relative to the run folder (screenshots, traces, HDR logs). */
  path?: string;
  contentType?: string;
  /** kind=link: an absolute URL (never carrying a secret). */
  url?: string;
  text?: string;
  /** JSON-serialisable payload (http exchange, metric series, measurement list). */
  data?: unknown;
}

export interface Quarantine {
  owner: string;
  expires: string;
  reason?: string;
}

/** One check's result: the unit every stage emits. */
interface CheckFields {
  /** Stable id, `<stage>.<slug>`; policy overrides and quarantine match on it. */
  id: string;
  stage: string;
  title: string;
  severity: Severity;
  /** What a failure means; default by severity (critical/major → rollback, minor → warn). */
  onFail?: OnFail;
  durationMs: number;
  attempts: number;
  evidence: Evidence[];
  tags?: string[];
  /** Reported, never changes the verdict. */
  dryRun?: boolean;
  /** Set when a quarantine entry that has not expired covers this check. */
  quarantine?: Quarantine;
  /** Measured value and limit, where the check compares one against the other. */
  observed?: number | string | boolean | null;
  limit?: number | string | boolean | null;
  unit?: string;
}

/**
 * A check's result. A failed or errored check always says why (`message`): a verdict must
 * name its cause; a passed or skipped one may say what was seen.
 */
export type CheckResult = CheckFields &
  (
    | { status: 'failed' | 'errored'; /** What was seen and what was expected, or why there is no evidence. */ message: string }
    | { status: Exclude<CheckStatus, 'failed' | 'errored'>; /** One line saying what was seen. */ message?: string }
  );

/** A check's status and message, as one part of a CheckResult (a failed or errored one says why). */
export type CheckOutcome = { status: 'failed' | 'errored'; message: string } | { status: Exclude<CheckStatus, 'failed' | 'errored'>; message?: string };

/** Environment variables as the run read them once (config loading): values may be secrets. */
export type Environ = Readonly<Record<string, string | undefined>>;

export type StageStatus = 'passed' | 'failed' | 'errored' | 'skipped' | 'timedout' | 'interrupted';

export interface StageSummary {
  name: string;
  status: StageStatus;
  durationMs: number;
  message?: string;
  startedAt?: string;
}

export interface Target {
  environment: string;
  baseUrl: string;
  apiUrl?: string;
  expectedVersion?: string;
  observedVersion?: string;
  deployId?: string;
}

export interface Reason {
  checkId: string;
  stage: string;
  severity: Severity;
  status: CheckStatus | 'missing';
  message: string;
  /** What this reason pushes the verdict to. */
  effect: Verdict | 'warn';
}

/** Artifacts are files a stage wrote into the run folder (relative paths). */
export interface Artifact {
  stage: string;
  name: string;
  path: string;
  kind: 'hdr' | 'samples' | 'trace' | 'screenshot' | 'har' | 'sarif' | 'allure' | 'json' | 'other';
  description?: string;
}

/** Record of something pdv did after the verdict (rollback, notification, metric publish). */
export interface ActionRecord {
  kind: string;
  name: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'dry-run';
  startedAt: string;
  durationMs: number;
  attempts: Array<{ at: string; ok: boolean; message: string; durationMs: number }>;
  message: string;
  /** e.g. post-rollback verification outcome. */
  details?: Record<string, unknown>;
}

export interface VerdictReport {
  schemaVersion: number;
  runId: string;
  verdict: Verdict;
  partial: boolean;
  reasons: Reason[];
  warnings: Reason[];
  stages: StageSummary[];
  checks: CheckResult[];
  target: Target;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  interrupted?: boolean;
  artifacts: Artifact[];
  actions: ActionRecord[];
  counts: Record<CheckStatus, number>;
  /** Stage-specific summaries (load percentiles, security grade, DR phases, metric series). */
  extras: Record<string, unknown>;
  /** A person's decision (`pdv decide`); `verdict` then follows it and `decision.machineVerdict` keeps the policy's. */
  decision?: HumanDecision;
  signoffs?: SignoffRecord[];
  /** The configured pre-production checklist, ticked from the evidence. */
  checklist?: ChecklistEntry[];
  /** ready when the verdict stands and every checklist item is ticked. */
  promotion?: Promotion;
  /**
   * Parts of the run's record that could not be written after the first
   * verdict.json (`<file>: <reason>`): warnings, never a different verdict
   * (the record rule, docs/reports.md).
   */
  recordWarnings?: string[];
}

export interface HumanDecision {
  /** Version of this field's shape. */
  schemaVersion: 1;
  verdict: 'stand' | 'rollback';
  /** What policy() says now, from the same log. */
  machineVerdict: Verdict;
  /** What policy() said when the person decided. */
  machineVerdictAtDecision: Verdict;
  by: string;
  at: string;
  reason: string;
  override: boolean;
  source: DecisionSource;
  /** Decisions recorded before this one (the log keeps them all). */
  previous: number;
}

export const SCHEMA_VERSION = 1;

// The pre-production checklist (evaluated in checklist.ts) and who decided.

export interface ChecklistItem {
  id: string;
  title: string;
  /** Check ids or globs (e.g. `<stage>.*`): every matching check that ran must have passed, and one must have run. */
  checks?: readonly string[];
  /** Stages: every check of each stage that ran must have passed, and one must have run. */
  stages?: readonly string[];
  /** A sign-off that must be recorded (`pdv signoff <run> <what>`). */
  signoff?: string;
  /** A change ticket (`--change-ticket` / $PDV_CHANGE_TICKET), optionally matching a pattern. */
  changeTicket?: true | { pattern: string };
  /** A file that must exist, relative to the config file. */
  file?: string;
}

export interface SignoffRecord {
  what: string;
  by: string;
  at: string;
  note?: string;
}

export interface ChecklistEntry {
  id: string;
  title: string;
  kind: 'checks' | 'stages' | 'signoff' | 'changeTicket' | 'file';
  ticked: boolean;
  /** What ticks it: check ids, the sign-off, the ticket, the file. */
  evidence: string[];
  /** What is missing, when unticked. */
  missing?: string;
}

export interface Promotion {
  status: 'ready' | 'blocked';
  blocking: Array<{ id: string; title: string; missing: string }>;
}

export interface DecisionSource {
  host: string;
  ci?: { provider: 'github'; runId?: string; actor?: string; repository?: string; workflow?: string; url?: string };
}
