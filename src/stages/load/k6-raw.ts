import { relative } from 'node:path';
import type { StageContext } from '../stage.ts';
import { importK6Raw } from '../../load/k6-raw.ts';
import { loadScenarioFile } from '../../load/scenario-file.ts';
import type { LoadConfig } from './config.ts';
import { mergeCheck } from './merge.ts';
import { saveRaw } from './raw.ts';
import { loadChecks, summarizeLoad, type Measured } from './results.ts';

// `pdv load import-k6 pod-*.json`: the pods' raw k6 output becomes one run's
// HDR histograms (written like a native run's, so `pdv merge` and `pdv report`
// treat it the same), judged against the thresholds of the scenario the k6
// script was exported from.

export async function importK6RawRun(ctx: StageContext<LoadConfig>, files: string[]): Promise<void> {
  const started = Date.now();
  const loaded = await loadScenarioFile(ctx.config.scenario, ctx.settings.rootDir);
  const imported = await importK6Raw(files, ctx.config.window);
  const measured: Measured = {
    recorder: imported.recorder,
    elapsedMs: imported.elapsedMs,
    workers: files.length,
    thresholds: loaded.thresholds,
    scenario: loaded.scenario.name,
    file: relative(ctx.settings.rootDir, loaded.file) || loaded.file,
    segments: files.length,
    startedAt: imported.files.map((f) => f.startEpochMs),
    generatorMeasured: false,
  };
  await saveRaw(ctx, measured);
  const summary = summarizeLoad(measured, ctx.config);
  const from = imported.files.map((f) => `${f.requests} from ${relative(ctx.settings.rootDir, f.file) || f.file}`).join(', ');
  ctx.check(mergeCheck(summary.completed > 0, summary.completed > 0 ? `${files.length} k6 raw output(s) added: ${summary.completed} requests (${from})` : 'no http_req_duration samples in the k6 output: no evidence'));
  for (const c of loadChecks(measured, summary, ctx.config, Date.now() - started)) if (c.id !== 'load.engine') ctx.check(c);
  ctx.emit({ type: 'extra', key: 'load', value: summary });
}
