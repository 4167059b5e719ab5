import { UnrecordedVerdictError } from '../../core/errors.ts';
import { join } from 'node:path';
import { EVENTS_FILE } from '../../platform/eventlog.ts';
import type { RunEvent } from '../../core/events.ts';
import { writeFileAtomic } from '../../platform/fs.ts';
import { writeReports } from '../../reporters/multiplexer.ts';
import { Redactor } from '../../core/redact.ts';
import type { CheckResult, Environ, VerdictReport } from '../../core/types.ts';
import { buildVerdict } from '../../core/verdict.ts';
import { alarmChecks, probeCheck, trendChecks, type TrendResult } from './checks.ts';
import { accumulate, downsample, newAccumulator, seriesSpecs } from './series.ts';
import { readPlan, readState, readTicks } from './store.ts';
import { TICKS_FILE, type SoakState } from './types.ts';

// `pdv soak judge`: one streaming pass over the journal, checks from the
// accumulated series, then the lead's policy (through buildVerdict) — an
// interim verdict while the soak runs, the final one after it ended.

export interface JudgeResult {
  report: VerdictReport;
  final: boolean;
  state: SoakState;
  checks: CheckResult[];
  trends: TrendResult[];
  skippedLines: number;
  /** Reporters that failed (the verdict stands; the CLI warns). */
  reportFailures: string[];
}

export interface JudgeOptions {
  now?: Date;
  /** Write events.jsonl + verdict.json and the other reports into the soak folder (default true). */
  write?: boolean;
  /** The reporters to write with (default: the project's default set). */
  writeReports?: (report: VerdictReport, dir: string) => Promise<void>;
  redactor?: Redactor;
  /** The environment variables of this process (`GITHUB_STEP_SUMMARY`), read once by the CLI; none: no step summary. */
  env?: Environ;
}

export async function judgeSoak(dir: string, opts: JudgeOptions = {}): Promise<JudgeResult> {
  const judgedAt = opts.now ?? new Date();
  const state = readState(dir);
  const plan = readPlan(dir);
  const startMs = Date.parse(state.startedAt);
  const warmupEnd = startMs + plan.soak.warmup;
  const specs = seriesSpecs(plan);
  const acc = newAccumulator(specs);
  const { skipped, duplicates } = await readTicks(dir, (t) => accumulate(acc, t, warmupEnd));

  const checks: CheckResult[] = [];
  const trends: TrendResult[] = [];
  for (const spec of specs) {
    const out = trendChecks(spec, acc.series.get(spec.name)!, plan, startMs);
    checks.push(...out.checks);
    trends.push(out.trend);
  }
  checks.push(...probeCheck(acc, plan), ...alarmChecks(acc, plan));
  const final = Boolean(state.ended) || judgedAt.getTime() >= Date.parse(state.endsAt);

  const extra = {
    id: state.id,
    final,
    startedAt: state.startedAt,
    endsAt: state.endsAt,
    warmupEndsAt: new Date(warmupEnd).toISOString(),
    deployTime: state.startedAt,
    ended: state.ended ?? null,
    ticks: acc.ticks,
    skippedLines: skipped,
    duplicateTicks: duplicates,
    intervalMs: state.intervalMs,
    series: specs.map((s) => {
      const data = acc.series.get(s.name)!;
      const trend = trends.find((t) => t.name === s.name);
      return { name: s.name, title: s.title, unit: s.unit, allowedPerHour: s.maxGrowthPerHour ?? null, points: downsample(data.points), errors: data.errors, trend };
    }),
    alarms: [...acc.alarms.values()],
    probes: { total: acc.probes.total, failed: acc.probes.failed },
  };

  const at = (ms: number): string => new Date(ms).toISOString();
  const runId = `${state.id}-judge`;
  const events: RunEvent[] = [
    { type: 'run.start', at: at(judgedAt.getTime()), runId, command: 'soak judge', target: plan.target, plan: ['soak'], required: ['soak'], partial: false },
    { type: 'stage.start', at: at(judgedAt.getTime()), stage: 'soak' },
    ...checks.map((check): RunEvent => ({ type: 'check', at: at(judgedAt.getTime()), check })),
    { type: 'artifact', at: at(judgedAt.getTime()), artifact: { stage: 'soak', name: 'ticks', path: TICKS_FILE, kind: 'samples', description: `${acc.ticks} ticks (JSONL)` } },
    { type: 'extra', at: at(judgedAt.getTime()), key: 'soak', value: extra },
    {
      type: 'stage.end',
      at: at(Date.now()),
      stage: { name: 'soak', status: checks.some((c) => c.status === 'failed') ? 'failed' : checks.some((c) => c.status === 'errored') ? 'errored' : 'passed', durationMs: Date.now() - judgedAt.getTime(), message: final ? 'final verdict' : 'interim verdict (soak still running)' },
    },
    { type: 'run.end', at: at(Date.now()), interrupted: false },
  ];
  const redactor = opts.redactor ?? new Redactor();
  const clean = events.map((e) => redactor.deep(e));
  const report = buildVerdict(clean, {
    majorBudget: plan.policy.majorBudget,
    flakyAsFailed: plan.policy.flakyAsFailed,
    overrides: plan.policy.overrides,
    quarantine: plan.quarantine,
  });
  const reportFailures: string[] = [];
  if (opts.write !== false) {
    await writeFileAtomic(join(dir, EVENTS_FILE), clean.map((e) => JSON.stringify(e)).join('\n') + '\n');
    if (opts.writeReports) await opts.writeReports(report, dir);
    else {
      const res = await writeReports(report, dir, { redactor, ...(opts.env ? { env: opts.env } : {}) });
      reportFailures.push(...res.failures.map((f) => `${f.reporter}: ${f.error}`));
      // No recorded verdict, no verdict: the caller must not act on (or exit with) this one.
      if (res.unrecorded !== undefined) throw new UnrecordedVerdictError(`the soak failed to record its verdict: ${res.unrecorded}`);
    }
  }
  return { report, final, state, checks, trends, skippedLines: skipped, reportFailures };
}
