import { errorMessage } from '../../core/errors.ts';
import { ScrapeSource } from '../../sources/scrape.ts';
import { parseSelector } from '../../sources/exposition.ts';
import { evaluateSelector } from '../../sources/scrape.ts';
import type { MetricSource } from '../../sources/types.ts';
import { buildSources, pickSource, toQuery } from '../../sources/build.ts';
import { probeUrl } from './hosts.ts';
import type { AlarmObservation, ProbeResult, SoakPlan, TickRecord } from './types.ts';
import type { Environ } from '../../core/types.ts';

// One tick's sample: light HTTP probes (not a browser), the target's process
// figures from its /metrics, the configured metric queries, and alarms. Every
// part is bounded by its own timeout; a part that fails records why and the
// tick still lands (missing values become "no evidence" at judge time).

export interface SampleOptions {
  seq: number;
  signal?: AbortSignal;
  /** The environment variables of this tick's process (credentials of metric sources), read once by the CLI. */
  env: Environ;
  fetch?: typeof fetch;
  /** Tests inject sources (e.g. a mocked CloudWatch). */
  sources?: Map<string, MetricSource>;
}

/** Redirects are never followed: a redirect could lead off the allow-list, and is not the page asked for. */
const noRedirects =
  (doFetch: typeof fetch): typeof fetch =>
  (input, init) =>
    doFetch(input, { ...init, redirect: 'manual' });

async function probe(plan: SoakPlan, p: SoakPlan['soak']['probes'][number], doFetch: typeof fetch, signal?: AbortSignal): Promise<ProbeResult> {
  const url = probeUrl(plan.target.baseUrl, p.path);
  const started = performance.now();
  try {
    const timeout = AbortSignal.timeout(p.timeout);
    const res = await doFetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, redirect: 'manual' });
    await res.arrayBuffer();
    const ms = performance.now() - started;
    // Only 2xx: a 3xx is a login page or a moved app, not the probe's answer.
    const ok = res.status >= 200 && res.status < 300;
    const where = res.status >= 300 && res.status < 400 ? ` (redirect to ${res.headers.get('location') ?? '?'}, not followed)` : '';
    return { name: p.name, ok, status: res.status, ms, ...(ok ? {} : { error: `HTTP ${res.status}${where}` }) };
  } catch (err) {
    return { name: p.name, ok: false, ms: performance.now() - started, error: errorMessage(err) };
  }
}

export async function takeSample(plan: SoakPlan, opts: SampleOptions): Promise<TickRecord> {
  const started = Date.now();
  const at = new Date(started).toISOString();
  const doFetch = opts.fetch ?? fetch;
  const values: Record<string, number> = {};
  const errors: Record<string, string> = {};
  const env = opts.env;
  const sources = opts.sources ?? buildSources({ sources: plan.sources }, { baseUrl: plan.target.baseUrl, env, ...(plan.awsRegion ? { awsRegion: plan.awsRegion } : {}) });

  const probesP = Promise.all(plan.soak.probes.map((p) => probe(plan, p, doFetch, opts.signal)));

  const processP = (async () => {
    const figures = { memory: plan.soak.process.memory, openConnections: plan.soak.process.openConnections };
    const wanted = Object.entries(figures).filter(([, m]) => m);
    if (!plan.processMetricsUrl || wanted.length === 0) return;
    try {
      const samples = await new ScrapeSource({ name: 'process', url: plan.processMetricsUrl, fetch: noRedirects(doFetch) }).scrape(opts.signal);
      for (const [key, metric] of wanted) {
        const sel = parseSelector(`sum(${metric})`);
        const v = sel ? evaluateSelector(samples, sel, started)[0]?.value : undefined;
        if (v === undefined) errors[key] = `${metric} not exposed`;
        else values[key] = v;
      }
    } catch (err) {
      for (const [key] of wanted) errors[key] = errorMessage(err);
    }
  })();

  const queriesP = Promise.all(
    plan.soak.queries.map(async (q, i) => {
      try {
        const src = pickSource(sources, q.source, `stages.metrics.soak.queries.${i}.source`);
        const samples = await src.instant(toQuery(q), opts.signal ? { signal: opts.signal } : {});
        const finite = samples.map((s) => s.value).filter(Number.isFinite);
        if (finite.length === 0) errors[q.name] = 'empty result';
        else values[q.name] = finite.reduce((a, b) => a + b, 0); // several series: their sum
      } catch (err) {
        errors[q.name] = errorMessage(err);
      }
    }),
  );

  const alarmsP = (async (): Promise<AlarmObservation[]> => {
    const out: AlarmObservation[] = [];
    await Promise.all(
      plan.alarms.map(async (a, i) => {
        try {
          const src = pickSource(sources, a.source, `stages.metrics.alarms.${i}.source`);
          const found = await src.alarms({ names: a.names, prefixes: a.prefixes }, opts.signal ? { signal: opts.signal } : {});
          for (const f of found) out.push({ name: f.name, state: f.state, rawState: f.rawState, severity: a.severity });
          for (const n of a.names) if (!found.some((f) => f.name === n)) out.push({ name: n, state: 'insufficient', rawState: 'NOT_FOUND', severity: a.severity });
        } catch (err) {
          errors[`alarms.${i}`] = errorMessage(err);
        }
      }),
    );
    return out.sort((x, y) => x.name.localeCompare(y.name));
  })();

  const [probes, , , alarms] = await Promise.all([probesP, processP, queriesP, alarmsP]);
  if (probes.length) {
    const okMs = probes.filter((p) => p.ok).map((p) => p.ms);
    if (okMs.length) values.latency = okMs.reduce((a, b) => a + b, 0) / okMs.length;
    else errors.latency = 'no probe succeeded';
    values.errorRate = probes.filter((p) => !p.ok).length / probes.length;
  }
  return { seq: opts.seq, at, durationMs: Date.now() - started, probes, values, errors, alarms };
}
