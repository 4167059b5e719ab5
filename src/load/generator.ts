import { performance } from 'node:perf_hooks';
import { recordUs, type Histogram } from './histogram.ts';

// The generator's own health during a run, measured beside the target's
// latencies: a late generator inflates corrected latency exactly as a slow
// target would, so every latency judgement needs to know how late it was.
// - event-loop delay: a 10 ms interval timer records how late it fires while
//   the loop was working (µs, into an HDR histogram, so threads and machines
//   add exactly). It catches
//   what a frozen loop does to responses waiting to be read, which send lag
//   (sampled only when an arrival is due) can miss.
// - busy: the thread's event-loop utilisation. Context, not a gate: a thread
//   busy sending and reading at a high rate can still be on time; what
//   saturation does to the run shows in the send lag and loop delay.

const PROBE_MS = 10;

export interface GeneratorSample {
  /** Thread time the event loop was not idle, and the wall time measured (µs). */
  busyUs: number;
  wallUs: number;
}

/** Measures one engine thread from `start()` to `stop()`; the loop-delay samples go into `into`. */
export class GeneratorMonitor {
  private timer: NodeJS.Timeout | undefined;
  private expected = 0;
  private elu: ReturnType<typeof performance.eventLoopUtilization> | undefined;
  private lastElu: ReturnType<typeof performance.eventLoopUtilization> | undefined;

  constructor(private readonly into: Histogram) {}

  start(): void {
    this.elu = performance.eventLoopUtilization();
    this.lastElu = this.elu;
    this.expected = performance.now() + PROBE_MS;
    this.timer = setInterval(this.probe, PROBE_MS);
  }

  private readonly probe = (): void => {
    const now = performance.now();
    const late = Math.max(0, now - this.expected);
    // Only the part of the lateness the loop spent working is the generator's blocking: a timer
    // that fires late out of an idle loop is OS timer slack, and I/O would have woken that loop at once.
    const window = performance.eventLoopUtilization(this.lastElu);
    this.lastElu = performance.eventLoopUtilization();
    recordUs(this.into, Math.min(late, window.active) * 1000);
    this.expected = now + PROBE_MS;
  };

  stop(): GeneratorSample {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!this.elu) return { busyUs: 0, wallUs: 0 };
    const d = performance.eventLoopUtilization(this.elu);
    return { busyUs: d.active * 1000, wallUs: (d.idle + d.active) * 1000 };
  }
}

/** What the generator's health allows to be judged: its lateness against a latency bound. */
export interface GeneratorVerdict {
  /** max(send-lag p99, event-loop delay p99), ms: how late the generator itself was. */
  latenessMs: number;
  /** The lateness may be at most this share of a latency bound for that bound to be judged. */
  share: number;
}

/**
 * Why a latency bound (a threshold limit or a baseline's effect-size floor, in ms) cannot be
 * judged on this run, or undefined when it can. A latency a tenth as large as the bound cannot
 * make the difference between passing and failing it; a larger one can, in either direction
 * (a late generator inflates the latencies, and it also sent less load than planned while late).
 */
export function lateAgainst(g: GeneratorVerdict, boundMs: number): string | undefined {
  if (g.latenessMs <= g.share * boundMs) return undefined;
  return `the generator was late by ${fmtMs(g.latenessMs)} ms against a bound of ${fmtMs(boundMs)} ms (allowed ${fmtMs(g.share * boundMs)} ms = ${g.share} × bound): no evidence about the target`;
}

function fmtMs(n: number): string {
  return n >= 10 ? n.toFixed(0) : n.toFixed(2).replace(/\.?0+$/, '');
}
