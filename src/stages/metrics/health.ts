import { errorMessage } from '../../core/errors.ts';
import type { CheckResult } from '../../core/types.ts';
import type { MetricSource } from '../../sources/types.ts';
import { ScrapeSource } from '../../sources/scrape.ts';

// Can each source be read at all? A source that cannot is errored (→ hold):
// DESIGN.md, "a metrics source that could not be read → hold". For a
// Prometheus, `up == 0` (it cannot scrape the target) counts as unreadable.

export async function sourceHealth(stage: string, source: MetricSource, upQuery: string | undefined, signal?: AbortSignal): Promise<CheckResult> {
  const started = Date.now();
  const base: Omit<CheckResult, 'status' | 'durationMs'> = { id: `${stage}.source.${source.name}`, stage, title: `Metrics source ${source.name} (${source.kind}) is readable`, severity: 'major', onFail: 'hold', attempts: 1, evidence: [] };
  try {
    if (source instanceof ScrapeSource) {
      const samples = await source.scrape(signal);
      if (samples.length === 0) return { ...base, status: 'errored', message: `${source.endpoint} has no samples`, durationMs: Date.now() - started };
      return { ...base, status: 'passed', message: `${samples.length} samples`, durationMs: Date.now() - started, observed: samples.length };
    }
    if (source.kind === 'prometheus' && upQuery) {
      const up = await source.instant({ expr: upQuery }, signal ? { signal } : {});
      const down = up.filter((s) => s.value !== 1);
      const evidence = [{ kind: 'json' as const, label: upQuery, data: up }];
      if (up.length === 0) return { ...base, status: 'errored', message: `${upQuery} is empty: Prometheus scrapes nothing`, durationMs: Date.now() - started, evidence };
      if (down.length) {
        const which = down.map((s) => `${s.labels.job ?? '?'}/${s.labels.instance ?? '?'}`).join(', ');
        return { ...base, status: 'errored', message: `Prometheus cannot scrape ${which} (${upQuery} = 0)`, durationMs: Date.now() - started, evidence };
      }
      return { ...base, status: 'passed', message: `${up.length} target(s) up`, durationMs: Date.now() - started, evidence };
    }
    return { ...base, status: 'passed', message: 'reachable', durationMs: Date.now() - started };
  } catch (err) {
    return { ...base, status: 'errored', message: errorMessage(err), durationMs: Date.now() - started };
  }
}
