import type { MergeShard, StageContext } from '../stage.ts';
import type { CheckResult } from '../../core/types.ts';
import { Recorder } from '../../load/recorder.ts';
import type { LoadConfig } from './config.ts';
import { readRaw, saveRaw, type RawLoad } from './raw.ts';
import { loadChecks, summarizeLoad, type Measured } from './results.ts';

// `pdv merge` for load segments: add every segment's HDR histograms and
// counters, then evaluate the thresholds once on the sum — percentiles over
// all machines are exact, unlike averaging per-machine percentiles.

export async function mergeLoad(shards: MergeShard[], ctx: StageContext<LoadConfig>): Promise<void> {
  const cfg = ctx.config;
  const started = Date.now();
  const raws = [];
  const missing: string[] = [];
  for (const s of shards) {
    try {
      raws.push(await readRaw(s.dir));
    } catch {
      missing.push(s.dir);
    }
  }
  const first = raws[0];
  if (!first) {
    ctx.check({ id: 'load.merge', stage: 'load', title: 'Load segments merged', severity: 'major', status: 'errored', message: 'no input has load histograms', durationMs: 0, attempts: 1, evidence: [] });
    return;
  }
  const totals = new Set(raws.map((r) => r.segment?.total ?? 1));
  const indexes = raws.map((r) => r.segment?.index ?? 1);
  const expectedTotal = first.segment?.total ?? 1;
  const complete = totals.size === 1 && new Set(indexes).size === expectedTotal && raws.length === expectedTotal && missing.length === 0;
  const skew = startSkew(raws, cfg.maxStartSkew);
  const recorder = Recorder.from(raws.map((r) => r.snapshot));
  const abort = raws.find((r) => r.abort)?.abort;
  const measured: Measured = {
    recorder,
    elapsedMs: Math.max(...raws.map((r) => r.elapsedMs)),
    workers: raws.reduce((a, r) => a + r.workers, 0),
    ...(abort ? { abort } : {}),
    thresholds: first.thresholds,
    scenario: first.scenario,
    file: first.file,
    segments: raws.length,
    startedAt: raws.flatMap((r) => (r.startEpochMs !== undefined ? [r.startEpochMs] : [])),
  };
  await saveRaw(ctx, measured);
  const summary = summarizeLoad(measured, cfg);
  const checks = loadChecks(measured, summary, cfg, Date.now() - started);
  // Segments that did not start together are not the one-machine schedule: their sum judges nothing.
  if (skew) for (const c of checks) if (c.status !== 'errored') Object.assign(c, { status: 'errored', message: `${c.message} — not judged: ${skew}` });
  const message = skew
    ? `refused: ${skew}`
    : complete
      ? `${raws.length} segment(s) of ${expectedTotal} added: ${summary.completed} requests`
      : `incomplete merge: segments ${indexes.sort().join(', ')} of ${[...totals].join('/')}${missing.length ? `; no histograms in ${missing.join(', ')}` : ''}`;
  ctx.check(mergeCheck(complete && !skew, message));
  for (const c of checks) ctx.check(c);
  ctx.emit({ type: 'extra', key: 'load', value: summary });
}

/** Why the segments' schedules are not one schedule in time, or undefined when they started within `maxMs`. */
export function startSkew(raws: Array<Pick<RawLoad, 'startEpochMs' | 'segment'>>, maxMs: number): string | undefined {
  if (raws.length < 2) return undefined;
  const starts = raws.map((r) => r.startEpochMs);
  if (starts.some((t) => t === undefined)) return 'some segments do not record when their schedule started (written by an older pdv): run them again with one --start-at';
  const ts = starts as number[];
  const spread = Math.max(...ts) - Math.min(...ts);
  if (spread <= maxMs) return undefined;
  const list = raws.map((r, i) => `${r.segment ? `${r.segment.index}/${r.segment.total}` : `input ${i + 1}`} at ${new Date(ts[i] as number).toISOString()}`).join(', ');
  return `the segments' schedules started ${(spread / 1000).toFixed(3)} s apart (more than maxStartSkew ${maxMs / 1000} s): ${list} — start them with one --start-at`;
}

/** `load.merge`: whether the inputs add up to one run (errored → hold, naming what is wrong). */
export function mergeCheck(ok: boolean, message: string): CheckResult {
  return { id: 'load.merge', stage: 'load', title: 'Load segments merged', severity: 'major', onFail: 'hold', status: ok ? 'passed' : 'errored', message, durationMs: 0, attempts: 1, evidence: [] };
}
