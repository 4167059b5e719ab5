import type { LoadConfig } from './config.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../platform/fs.ts';
import type { StageContext } from '../stage.ts';
import type { AbortInfo } from '../../load/plan.ts';
import type { RecorderSnapshot } from '../../load/recorder.ts';
import type { ParsedThreshold } from '../../load/thresholds.ts';
import type { Measured } from './results.ts';

// The raw measurements of a run: every cell's HDR histograms (compressed,
// base64), counters, windows and the parsed thresholds. `pdv merge` adds the
// files of all segments and evaluates the thresholds on the exact sum.

export const RAW_FILE = 'load/histograms.json';

export interface RawLoad {
  version: 1;
  scenario: string;
  file: string;
  segment?: { index: number; total: number };
  workers: number;
  elapsedMs: number;
  /** Epoch ms of the schedule's start (absent in files written before it was recorded). */
  startEpochMs?: number;
  abort?: AbortInfo;
  thresholds: ParsedThreshold[];
  snapshot: RecorderSnapshot;
}

export async function saveRaw(ctx: Pick<StageContext<LoadConfig>, 'runDir' | 'emit'>, m: Measured): Promise<void> {
  const raw: RawLoad = {
    version: 1,
    scenario: m.scenario,
    file: m.file,
    ...(m.segment ? { segment: m.segment } : {}),
    workers: m.workers,
    elapsedMs: m.elapsedMs,
    ...(m.startedAt?.length === 1 ? { startEpochMs: m.startedAt[0] } : {}),
    ...(m.abort ? { abort: m.abort } : {}),
    thresholds: m.thresholds,
    snapshot: m.recorder.snapshot(),
  };
  await writeJsonAtomic(join(ctx.runDir, RAW_FILE), raw);
  ctx.emit({
    type: 'artifact',
    artifact: { stage: 'load', name: 'HDR histograms', path: RAW_FILE, kind: 'hdr', description: 'raw latency histograms (µs, corrected and uncorrected) per request; pdv merge adds them exactly' },
  });
}

export async function readRaw(dir: string): Promise<RawLoad> {
  const raw = JSON.parse(await readFile(join(dir, RAW_FILE), 'utf8')) as RawLoad;
  if (raw.version !== 1 || !raw.snapshot || !Array.isArray(raw.thresholds)) throw new Error(`${join(dir, RAW_FILE)} is not a pdv load histogram file`);
  return raw;
}
