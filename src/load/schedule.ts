import type { ExecutorSpec } from './scenario.ts';

// Open-model schedule: arrival k of an executor has a fixed intended start
// time, independent of how the target answers. Segments (machines) and
// worker threads take interleaved stripes of the same arrival sequence, so
// n machines × w workers together send exactly the one-machine schedule.

export interface Stripe {
  /** First global arrival index this runner owns. */
  offset: number;
  /** Distance between owned arrivals. */
  step: number;
}

export const WHOLE: Stripe = { offset: 0, step: 1 };

/** Stripe for segment `index` (1-based) of `total` machines, worker `w` of `workers`. */
export function stripeFor(segment: { index: number; total: number } | undefined, worker = 0, workers = 1): Stripe {
  const n = segment?.total ?? 1;
  const s = (segment?.index ?? 1) - 1;
  return { offset: s + n * worker, step: n * workers };
}

interface Piece {
  startUs: number;
  durUs: number;
  /** Rates in requests per µs at the start and end of the piece. */
  r0: number;
  r1: number;
  /** Arrivals before the piece. */
  before: number;
  count: number;
}

function pieces(e: ExecutorSpec): Piece[] {
  const perUs = (rate: number): number => rate / (e.timeUnit * 1000);
  const start = (e.startTime ?? 0) * 1000;
  if (e.executor === 'constant-arrival-rate') {
    const r = perUs(e.rate);
    const durUs = e.duration * 1000;
    return [{ startUs: start, durUs, r0: r, r1: r, before: 0, count: r * durUs }];
  }
  const out: Piece[] = [];
  let t = start;
  let before = 0;
  let from = perUs(e.startRate);
  for (const st of e.stages) {
    const to = perUs(st.target);
    const durUs = st.duration * 1000;
    const count = ((from + to) / 2) * durUs;
    out.push({ startUs: t, durUs, r0: from, r1: to, before, count });
    before += count;
    t += durUs;
    from = to;
  }
  return out;
}

/** Time within a piece at which `n` arrivals have accumulated (inverse of the integral of a linear rate). */
function timeFor(p: Piece, n: number): number {
  if (n <= 0) return 0;
  const a = (p.r1 - p.r0) / (2 * p.durUs);
  if (Math.abs(a) < 1e-18) return n / p.r0;
  // a t² + r0 t − n = 0, written in the cancellation-free form.
  return (2 * n) / (p.r0 + Math.sqrt(p.r0 * p.r0 + 4 * a * n));
}

/** Total arrivals of an executor (whole schedule, all segments). */
export function plannedCount(e: ExecutorSpec): number {
  const ps = pieces(e);
  const total = ps.reduce((a, p) => a + p.count, 0);
  return Math.ceil(total - 1e-9);
}

/** Peak rate of an executor in requests per second. */
export function peakRatePerSecond(e: ExecutorSpec): number {
  const perSec = (r: number): number => (r * 1000) / e.timeUnit;
  return e.executor === 'constant-arrival-rate' ? perSec(e.rate) : Math.max(perSec(e.startRate), ...e.stages.map((s) => perSec(s.target)));
}

/**
 * Walks the arrivals a stripe owns without allocating per arrival: the
 * engine's scheduler reads `k` and `tUs`, then calls `next()`.
 */
export class ArrivalCursor {
  /** Global index and intended start (µs from run start) of the current arrival; valid while `done` is false. */
  k: number;
  tUs = 0;
  done = false;
  private readonly ps: Piece[];
  private readonly total: number;
  private pi = 0;

  constructor(
    e: ExecutorSpec,
    private readonly stripe: Stripe = WHOLE,
  ) {
    this.ps = pieces(e);
    this.total = plannedCount(e);
    this.k = stripe.offset - stripe.step;
    this.next();
  }

  /** Move to the next owned arrival; false (and `done`) past the end. */
  next(): boolean {
    const ps = this.ps;
    for (let k = this.k + this.stripe.step; k < this.total; k += this.stripe.step) {
      while (this.pi < ps.length - 1 && k >= (ps[this.pi] as Piece).before + (ps[this.pi] as Piece).count) this.pi++;
      const p = ps[this.pi] as Piece;
      if (p.count <= 0) continue;
      this.k = k;
      this.tUs = p.startUs + Math.min(p.durUs, timeFor(p, k - p.before));
      return true;
    }
    this.k = this.total;
    this.done = true;
    return false;
  }
}

/**
 * One scheduler tick of one executor: fire every arrival due by `nowUs` (offset from run start),
 * in order, at most `max` of them, each with its own intended start. Returns how many fired.
 */
export function takeDue(c: ArrivalCursor, nowUs: number, max: number, fire: (k: number, tUs: number) => void): number {
  let n = 0;
  for (; n < max && !c.done && c.tUs <= nowUs; n++) {
    fire(c.k, c.tUs);
    c.next();
  }
  return n;
}

/** Rate at the start of an executor's schedule, in requests per second (the rate a warm-up may use). */
export function startRatePerSecond(e: ExecutorSpec): number {
  return ((e.executor === 'constant-arrival-rate' ? e.rate : e.startRate) * 1000) / e.timeUnit;
}

/** Intended start offsets (µs from run start) of the arrivals this stripe owns, in order, with their global index. */
export function* arrivals(e: ExecutorSpec, stripe: Stripe = WHOLE): Generator<{ k: number; tUs: number }> {
  for (const c = new ArrivalCursor(e, stripe); !c.done; c.next()) yield { k: c.k, tUs: c.tUs };
}

/** Low-discrepancy weighted choice: deterministic per arrival index, evenly spread over any stripe. */
export function chooseIndex(k: number, cumulative: number[]): number {
  const total = cumulative[cumulative.length - 1] ?? 1;
  const u = ((k * 0.6180339887498949) % 1) * total;
  for (let i = 0; i < cumulative.length; i++) if (u < (cumulative[i] as number)) return i;
  return cumulative.length - 1;
}

export function cumulativeWeights(weights: number[]): number[] {
  let acc = 0;
  return weights.map((w) => (acc += w));
}
