import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResolvedConfig } from '../config/types.ts';
import { errorMessage, UsageError } from '../core/errors.ts';
import { EventLog, EVENTS_FILE } from '../platform/eventlog.ts';
import type { RunEvent, RunStartEvent, StageEmittable } from '../core/events.ts';
import { Redactor } from '../core/redact.ts';
import type { MergeShard, StageContext } from '../stages/stage.ts';
import type { CheckResult, CheckStatus, StageStatus, StageSummary, VerdictReport } from '../core/types.ts';
import { updateLatestLink } from '../reporters/index.ts';
import { registryOf, sectionOf, settingsOf, type StageSection } from './plan.ts';
import { readRunDir, runStartOf, storedPolicy } from './replay.ts';
import { newRunId, recordVerdict, refuseReusedOut } from './verify.ts';

// `pdv merge`: shards (Playwright --shard), load segments or runs from other
// machines become one verdict. Raw events are the truth: checks are taken as
// they are, except for stages with a merge hook (load adds HDR histograms).

const STATUS_RANK: Record<CheckStatus, number> = { failed: 0, errored: 1, flaky: 2, passed: 3, skipped: 4 };
const STAGE_RANK: Record<StageStatus, number> = { errored: 0, timedout: 1, interrupted: 2, failed: 3, passed: 4, skipped: 5 };

/** Problems that make the merged evidence untrustworthy: the verdict is hold, naming them. */
export function shardProblems(starts: Array<{ dir: string; start: RunStartEvent }>): string[] {
  const problems: string[] = [];
  const deployIds = new Set(starts.map((s) => s.start.target.deployId ?? '(none)'));
  if (deployIds.size > 1) problems.push(`inputs come from different deploy ids: ${[...deployIds].join(', ')}`);
  for (const key of ['shard', 'segment'] as const) {
    const parts = starts.filter((s) => s.start[key]);
    if (parts.length === 0) continue;
    if (parts.length !== starts.length) problems.push(`only some inputs are ${key}s`);
    const totals = new Set(parts.map((p) => p.start[key]?.total));
    if (totals.size > 1) {
      problems.push(`${key}s disagree on the total: ${[...totals].join(', ')}`);
      continue;
    }
    const total = [...totals][0] ?? 0;
    const seen = new Map<number, string>();
    for (const p of parts) {
      const index = p.start[key]?.index ?? 0;
      const before = seen.get(index);
      if (before) problems.push(`${key} ${index}/${total} given twice (${before} and ${p.dir})`);
      seen.set(index, p.dir);
    }
    for (let i = 1; i <= total; i++) if (!seen.has(i)) problems.push(`${key} ${i}/${total} is missing`);
  }
  const greps = new Set(starts.map((s) => s.start.grep ?? ''));
  if (greps.size > 1) problems.push(`inputs ran different selections: ${[...greps].map((g) => g || '(all)').join(', ')}`);
  return problems;
}

function mergeStages(all: StageSummary[]): StageSummary[] {
  const byName = new Map<string, StageSummary>();
  for (const s of all) {
    const prev = byName.get(s.name);
    if (!prev) byName.set(s.name, { ...s });
    else
      byName.set(s.name, {
        ...prev,
        status: STAGE_RANK[s.status] < STAGE_RANK[prev.status] ? s.status : prev.status,
        durationMs: Math.max(prev.durationMs, s.durationMs),
        ...(s.message && !prev.message ? { message: s.message } : {}),
      });
  }
  return [...byName.values()];
}

export interface MergeOptions {
  dirs: string[];
  out?: string;
  config: ResolvedConfig;
}

export async function mergeRuns(opts: MergeOptions): Promise<{ report: VerdictReport; runDir: string }> {
  if (opts.dirs.length === 0) throw new UsageError('give at least one run folder', 'pdv merge');
  const inputs = opts.dirs.map((d) => readRunDir(d));
  const starts = inputs.map((i) => ({ dir: i.dir, start: runStartOf(i.events, join(i.dir, EVENTS_FILE)) }));
  const first = starts[0]!.start;
  const problems = shardProblems(starts);

  const runId = newRunId(first.target.environment);
  const runDir = opts.out ? resolve(opts.out) : join(opts.config.reportsDir, runId);
  // The merged log must not be appended to an input (or any other run).
  const outReal = realOrSelf(runDir);
  if (inputs.some((i) => realOrSelf(i.dir) === outReal)) throw new UsageError(`${runDir} is one of the inputs; choose a new folder`, '--out');
  refuseReusedOut(runDir);
  mkdirSync(runDir, { recursive: true });
  const redactor = new Redactor();
  const log = new EventLog(join(runDir, EVENTS_FILE), redactor);
  const at = () => new Date().toISOString();

  const plan = [...new Set(starts.flatMap((s) => s.start.plan))];
  const required = [...new Set(starts.flatMap((s) => s.start.required))];
  log.append({
    type: 'run.start',
    at: starts.map((s) => s.start.at).sort()[0] ?? at(),
    runId,
    command: `merge ${inputs.length} inputs`,
    target: { ...first.target },
    plan,
    required,
    partial: starts.some((s) => s.start.partial),
    policy: storedPolicy(first),
    ...(first.grep ? { grep: first.grep } : {}),
  });

  // Stages with a merge hook rebuild their checks from raw data.
  const hooked = new Set<string>();
  const registry = registryOf(opts.config);
  for (const name of plan) {
    const stage = registry.find((s) => s.name === name);
    if (!stage?.merge) continue;
    hooked.add(name);
    const shards: MergeShard[] = inputs.map((i) => ({ dir: i.dir, events: i.events.filter((e) => e.type === 'run.start' || stageOf(e) === name) }));
    const ctx = mergeContext(opts.config, sectionOf(opts.config, stage), runId, runDir, redactor, name, (e) => log.append({ at: at(), ...e } as RunEvent));
    try {
      await stage.merge(shards, ctx);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      problems.push(`merging ${name} failed: ${errorMessage(err)}`);
    }
  }

  const checks = new Map<string, CheckResult>();
  const stageSummaries: StageSummary[] = [];
  let interrupted = false;
  let lastEnd = first.at;
  for (const input of inputs) {
    for (const e of input.events) {
      if (e.type === 'check' && !hooked.has(e.check.stage)) {
        const prev = checks.get(e.check.id);
        if (!prev || STATUS_RANK[e.check.status] < STATUS_RANK[prev.status]) checks.set(e.check.id, e.check);
      } else if (e.type === 'stage.end') stageSummaries.push(e.stage);
      else if (e.type === 'observation' || (e.type === 'artifact' && !hooked.has(e.artifact.stage)) || (e.type === 'extra' && !hooked.has(e.key))) {
        log.append(e);
      } else if (e.type === 'run.end') {
        interrupted ||= e.interrupted;
        if (e.at > lastEnd) lastEnd = e.at;
      }
    }
  }
  for (const check of checks.values()) log.append({ type: 'check', at: at(), check });
  if (problems.length) {
    log.append({
      type: 'check',
      at: at(),
      check: {
        id: 'merge.inputs',
        stage: 'merge',
        title: 'merged inputs are complete and consistent',
        severity: 'critical',
        onFail: 'hold',
        status: 'failed',
        message: problems.join('; '),
        durationMs: 0,
        attempts: 1,
        evidence: [{ kind: 'json', label: 'inputs', data: starts.map((s) => ({ dir: s.dir, shard: s.start.shard, segment: s.start.segment, deployId: s.start.target.deployId })) }],
      },
    });
  }
  for (const s of mergeStages(stageSummaries)) log.append({ type: 'stage.end', at: at(), stage: s });
  log.append({ type: 'run.end', at: lastEnd, interrupted });
  log.close();

  const { report } = await recordVerdict(runDir, log.events, storedPolicy(first), { redactor, env: opts.config.env, ...(opts.config.pluginStages ? { plugins: opts.config.pluginStages } : {}) });
  if (!opts.out) await updateLatestLink(opts.config.reportsDir, runDir);
  return { report, runDir };
}

function realOrSelf(dir: string): string {
  const abs = resolve(dir);
  return existsSync(abs) ? realpathSync(abs) : abs;
}

function stageOf(e: RunEvent): string | undefined {
  switch (e.type) {
    case 'check':
      return e.check.stage;
    case 'artifact':
      return e.artifact.stage;
    case 'extra':
      return e.key;
    case 'stage.start':
    case 'progress':
      return e.stage;
    case 'stage.end':
      return e.stage.name;
    default:
      return undefined;
  }
}

function mergeContext(
  config: ResolvedConfig,
  section: StageSection,
  runId: string,
  runDir: string,
  redactor: Redactor,
  stage: string,
  record: (e: StageEmittable) => void,
): StageContext<StageSection> {
  mkdirSync(join(runDir, stage), { recursive: true });
  return {
    runId,
    runDir,
    config: section,
    settings: settingsOf(config),
    target: { environment: config.environmentName, baseUrl: config.environment.baseUrl },
    secrets: new Map(),
    redactor,
    signal: new AbortController().signal,
    imports: [],
    emit: record,
    check: (check) => record({ type: 'check', check }),
    progress: (message) => record({ type: 'progress', stage, message }),
  };
}
