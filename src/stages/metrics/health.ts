import { errorMessage } from '../../core/errors.ts';
import type { CheckResult } from '../../core/types.ts';
import type { MetricQuery, MetricSource } from '../../sources/types.ts';
import { ScrapeSource } from '../../sources/scrape.ts';

// Can each source be read at all? A source that cannot is errored (→ hold):
// DESIGN.md, "a metrics source that could not be read → hold". For a
// Prometheus, `up == 0` (it cannot scrape the target) counts as unreadable.
// Readable means it answered a request: no source passes without one.

export async function sourceHealth(stage: string, source: MetricSource, upQuery: string | undefined, signal?: AbortSignal, probe?: MetricQuery): Promise<CheckResult> {
  const started = Date.now();
  const base: Omit<CheckResult, 'status' | 'durationMs'> = { id: `${stage}.source.${source.name}`, stage, title: `Metrics source ${source.name} (${source.kind}) is readable`, severity: 'major', onFail: 'hold', attempts: 1, evidence: [] };
  const opts = signal ? { signal } : {};
  try {
    if (source instanceof ScrapeSource) {
      const samples = await source.scrape(signal);
      if (samples.length === 0) return { ...base, status: 'errored', message: `${source.endpoint} has no samples`, durationMs: Date.now() - started };
      return { ...base, status: 'passed', message: `${samples.length} samples`, durationMs: Date.now() - started, observed: samples.length };
    }
    if (source.kind === 'prometheus' && upQuery) {
      const up = await source.instant({ expr: upQuery }, opts);
      const down = up.filter((s) => s.value !== 1);
      const evidence = [{ kind: 'json' as const, label: upQuery, data: up }];
      if (up.length === 0) return { ...base, status: 'errored', message: `${upQuery} is empty: Prometheus scrapes nothing`, durationMs: Date.now() - started, evidence };
      if (down.length) {
        const which = down.map((s) => `${s.labels.job ?? '?'}/${s.labels.instance ?? '?'}`).join(', ');
        return { ...base, status: 'errored', message: `Prometheus cannot scrape ${which} (${upQuery} = 0)`, durationMs: Date.now() - started, evidence };
      }
      return { ...base, status: 'passed', message: `${up.length} target(s) up`, durationMs: Date.now() - started, evidence };
    }
    if (source.kind === 'prometheus') {
      // The up check is off: the server must still answer a query of its own.
      const one = await source.instant({ expr: 'vector(1)' }, opts);
      if (one.length !== 1 || one[0]!.value !== 1) return { ...base, status: 'errored', message: `vector(1) answered ${JSON.stringify(one)}`, durationMs: Date.now() - started };
      return { ...base, status: 'passed', message: 'answered a query', durationMs: Date.now() - started };
    }
    if (source.readable) {
      const what = await source.readable({ ...opts, ...(probe ? { query: probe } : {}) });
      return { ...base, status: 'passed', message: what, durationMs: Date.now() - started };
    }
    return { ...base, status: 'errored', message: `no way to check that ${source.kind} source ${source.name} answers`, durationMs: Date.now() - started };
  } catch (err) {
    return { ...base, status: 'errored', message: errorMessage(err), durationMs: Date.now() - started };
  }
}
