import type { RunSettings } from '../../target/settings.ts';
import { addHistoryEntry, historyFolder, newestHistoryEntry } from '../../platform/history.ts';
import type { CheckResult, VerdictReport } from '../../core/types.ts';
import { mannWhitneyU } from '../../stats/index.ts';
import type { LoadConfig } from './config.ts';
import { generatorFaultForBaseline } from './health.ts';
import type { LoadSummary } from './results.ts';

// Baselines: every stood run leaves its per-window latency in a history
// folder per environment; the next run compares its windows with the last
// one (Mann–Whitney U + Hodges–Lehmann shift + an effect-size floor, as
// Kayenta does), so a real regression inside the SLA is caught and noise is not.

export interface BaselineEntry {
  version: 1;
  runId: string;
  deployId?: string;
  recordedAt: string;
  environment: string;
  scenario: string;
  /** Corrected p95 per window (ms), warm-up window dropped. */
  windowsP95: number[];
  latency: LoadSummary['latency'];
  throughput: number;
}

export function historyDir(config: Pick<RunSettings, 'rootDir' | 'reportsDir' | 'environmentName'>): string {
  return historyFolder(config, 'load');
}

export function windowSamples(summary: Pick<LoadSummary, 'series'>): number[] {
  // The first window holds connection set-up and JIT warm-up: not the deploy's latency.
  return summary.series.slice(1).filter((w) => w.count > 0).map((w) => w.p95);
}

/**
 * Called by the orchestrator after a verdict: a stood run with valid load data
 * becomes the newest baseline. Returns the file written, or undefined.
 */
export async function recordLoadBaseline(report: VerdictReport, cfg: LoadConfig, config: RunSettings): Promise<string | undefined> {
  if (report.verdict !== 'stand') return undefined;
  const summary = report.extras.load as LoadSummary | undefined;
  if (!summary || !summary.valid || summary.abort || summary.segment) return undefined;
  const entry: BaselineEntry = {
    version: 1,
    runId: report.runId,
    ...(report.target.deployId ? { deployId: report.target.deployId } : {}),
    recordedAt: report.finishedAt,
    environment: config.environmentName,
    scenario: summary.scenario,
    windowsP95: windowSamples(summary),
    latency: summary.latency,
    throughput: summary.throughput,
  };
  return addHistoryEntry(historyDir(config), report, entry, cfg.baseline.keep);
}

export async function latestBaseline(dir: string, scenario: string): Promise<BaselineEntry | undefined> {
  const ok = (e: unknown): e is BaselineEntry => {
    const b = e as Partial<BaselineEntry> | null;
    return !!b && b.version === 1 && b.scenario === scenario && Array.isArray(b.windowsP95);
  };
  return newestHistoryEntry(dir, ok);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export interface BaselineOutcome {
  check: CheckResult;
  detail?: { baselineRunId: string; pValue: number; shiftMs: number; ci: [number, number]; floorMs: number; baselineMedianMs: number; currentMedianMs: number };
}

export function compareWithBaseline(summary: LoadSummary, baseline: BaselineEntry | undefined, cfg: LoadConfig['baseline']): BaselineOutcome {
  const check: CheckResult = {
    id: 'load.baseline',
    stage: 'load',
    title: 'Latency per window vs the last stood deploy (Mann–Whitney U)',
    severity: cfg.severity,
    onFail: cfg.onFail,
    status: 'skipped',
    durationMs: 0,
    attempts: 1,
    evidence: [],
    unit: 'ms',
  };
  if (!baseline) return { check: { ...check, message: 'no baseline yet: no stood run of this scenario in the history folder' } };
  const current = windowSamples(summary);
  const base = baseline.windowsP95;
  if (current.length < cfg.minWindows || base.length < cfg.minWindows) {
    return { check: { ...check, message: `too few windows to compare (${current.length} now, ${base.length} in baseline ${baseline.runId}; need ${cfg.minWindows})` } };
  }
  const r = mannWhitneyU(base, current);
  const baseMed = median(base);
  const floor = Math.max(cfg.minShift, cfg.minShiftRatio * baseMed);
  const regressed = r.pValue < cfg.alpha && r.hodgesLehmann > floor;
  const detail = { baselineRunId: baseline.runId, pValue: r.pValue, shiftMs: r.hodgesLehmann, ci: r.ci, floorMs: floor, baselineMedianMs: baseMed, currentMedianMs: median(current) };
  const shift = `${r.hodgesLehmann >= 0 ? '+' : ''}${r.hodgesLehmann.toFixed(1)} ms [${r.ci[0].toFixed(1)}, ${r.ci[1].toFixed(1)}]`;
  // The floor is the latency bound this comparison judges: a generator late against it decides nothing.
  const late = generatorFaultForBaseline(summary.generator, floor);
  if (late) return { detail, check: { ...check, status: 'errored', message: `shift ${shift} vs run ${baseline.runId} — not judged: ${late}` } };
  return {
    detail,
    check: {
      ...check,
      status: regressed ? 'failed' : 'passed',
      message: regressed
        ? `p95 per window shifted ${shift} vs run ${baseline.runId} (p=${r.pValue.toPrecision(2)} < ${cfg.alpha}, shift > floor ${floor.toFixed(1)} ms)`
        : `no regression vs run ${baseline.runId}: shift ${shift}, p=${r.pValue.toPrecision(2)}, floor ${floor.toFixed(1)} ms`,
      observed: Math.round(r.hodgesLehmann * 1000) / 1000,
      limit: Math.round(floor * 1000) / 1000,
      evidence: [{ kind: 'json', label: 'baseline comparison', data: { ...detail, baselineWindows: base, currentWindows: current } }],
    },
  };
}
