import { errorMessage } from '../core/errors.ts';
import { aggregate, parseExposition, parseSelector, selectSamples, type ExpositionSample } from './exposition.ts';
import { SourceError, withTimeout, type Alarm, type MetricQuery, type MetricSource, type QueryOptions, type Sample, type Series } from './types.ts';

// Reads a target's own /metrics page. The fallback when no Prometheus is
// configured, and the soak's way to read process figures: instant queries
// only (a selector, optionally aggregated), no history, no alerts.

export interface ScrapeOptions {
  name?: string;
  url: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class ScrapeSource implements MetricSource {
  readonly kind = 'scrape' as const;
  readonly name: string;
  readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly doFetch: typeof fetch;

  constructor(opts: ScrapeOptions) {
    this.name = opts.name ?? 'scrape';
    this.endpoint = opts.url;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.doFetch = opts.fetch ?? fetch;
  }

  /** One GET of the page, parsed. Throws SourceError when it cannot be read. */
  async scrape(signal?: AbortSignal): Promise<ExpositionSample[]> {
    let res: Response;
    try {
      res = await this.doFetch(this.endpoint, { headers: { accept: 'text/plain' }, signal: withTimeout(signal, this.timeoutMs) });
    } catch (err) {
      throw new SourceError(this.name, `cannot reach ${this.endpoint}: ${errorMessage(err)}`, { cause: err });
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw new SourceError(this.name, `${this.endpoint} answered ${res.status}`);
    return parseExposition(text);
  }

  async instant(query: MetricQuery, opts: QueryOptions & { at?: number } = {}): Promise<Sample[]> {
    const sel = parseSelector(query.expr);
    if (!sel) throw new SourceError(this.name, `a scrape source answers only selectors like name{label="v"} or sum(name{…}): ${query.expr}`);
    const samples = await this.scrape(opts.signal);
    const at = Date.now();
    return evaluateSelector(samples, sel, at);
  }

  async range(query: MetricQuery): Promise<Series[]> {
    throw new SourceError(this.name, `range queries need a Prometheus (a scrape has no history): ${query.expr}`);
  }

  async alarms(): Promise<Alarm[]> {
    throw new SourceError(this.name, 'alarms need a Prometheus or CloudWatch source (a scrape has no alert rules)');
  }
}

export function evaluateSelector(samples: readonly ExpositionSample[], sel: NonNullable<ReturnType<typeof parseSelector>>, at: number): Sample[] {
  const matched = selectSamples(samples, sel);
  if (!sel.agg) return matched.map((s) => ({ labels: { __name__: s.name, ...s.labels }, value: s.value, at }));
  const v = aggregate(matched.map((s) => s.value), sel.agg);
  return v === undefined ? [] : [{ labels: {}, value: v, at }];
}
