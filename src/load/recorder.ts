import { addInto, decode, encode, newHistogram, recordUs, type Histogram } from './histogram.ts';

// Everything one engine thread measures. Cells are keyed by scenario, request
// name and expected_response, so any k6 tag filter is an exact sum of cells.
// A snapshot encodes the histograms; snapshots add exactly (workers, segments).

export interface Cell {
  scenario: string;
  name: string;
  method: string;
  expected: boolean;
  count: number;
  statuses: Record<string, number>;
  corrected: Histogram;
  uncorrected: Histogram;
}

export interface Window {
  count: number;
  failed: number;
  /** Corrected latency, 2 significant digits (enough for a chart and windowed baselines). */
  hist: Histogram;
}

export interface RecorderSnapshot {
  version: 1;
  windowMs: number;
  planned: number;
  sent: number;
  cells: Array<Omit<Cell, 'corrected' | 'uncorrected'> & { corrected: string; uncorrected: string }>;
  dropped: Record<string, number>;
  windows: Array<{ i: number; count: number; failed: number; hist: string }>;
  sendLag: string;
  /** The generator's health (src/load/generator.ts); absent in files written before it was measured. */
  loopDelay?: string;
  busyUs?: number;
  wallUs?: number;
  /** The busiest engine thread's event-loop utilisation (0..1). */
  maxBusy?: number;
  firstSendUs?: number;
  lastSendUs?: number;
}

export const STATUS_NETWORK_ERROR = '0';

export class Recorder {
  readonly cells = new Map<string, Cell>();
  readonly dropped = new Map<string, number>();
  readonly windows = new Map<number, Window>();
  readonly sendLag = newHistogram(3);
  /** How late the generator's event loop ran (µs per 10 ms probe). */
  readonly loopDelay = newHistogram(3);
  busyUs = 0;
  wallUs = 0;
  maxBusy = 0;
  planned = 0;
  sent = 0;
  /** Epoch µs of the first and last send (achieved-rate figures). */
  firstSendUs = Infinity;
  lastSendUs = 0;

  private lastWi = -1;
  private lastW: Window | undefined;

  constructor(readonly windowMs = 1000) {}

  cell(scenario: string, name: string, method: string, expected: boolean): Cell {
    const key = `${scenario}\u0000${name}\u0000${expected}`;
    let c = this.cells.get(key);
    if (!c) {
      c = { scenario, name, method, expected, count: 0, statuses: {}, corrected: newHistogram(3), uncorrected: newHistogram(3) };
      this.cells.set(key, c);
    }
    return c;
  }

  /** One completed (or failed) request. Times in µs; `offsetUs` is the intended start from run start. */
  record(cell: Cell, status: number, correctedUs: number, uncorrectedUs: number, offsetUs: number): void {
    cell.count++;
    const s = String(status);
    cell.statuses[s] = (cell.statuses[s] ?? 0) + 1;
    recordUs(cell.corrected, correctedUs);
    recordUs(cell.uncorrected, uncorrectedUs);
    const wi = Math.floor(offsetUs / 1000 / this.windowMs);
    // Completions come in window order but for stragglers: keep the current window at hand.
    let w = wi === this.lastWi ? this.lastW : this.windows.get(wi);
    if (!w) {
      w = { count: 0, failed: 0, hist: newHistogram(2) };
      this.windows.set(wi, w);
    }
    this.lastWi = wi;
    this.lastW = w;
    w.count++;
    if (!cell.expected) w.failed++;
    recordUs(w.hist, correctedUs);
  }

  drop(scenario: string, name: string): void {
    const key = `${scenario}\u0000${name}`;
    this.dropped.set(key, (this.dropped.get(key) ?? 0) + 1);
  }

  snapshot(): RecorderSnapshot {
    return {
      version: 1,
      windowMs: this.windowMs,
      planned: this.planned,
      sent: this.sent,
      cells: [...this.cells.values()].map((c) => ({ ...c, statuses: { ...c.statuses }, corrected: encode(c.corrected), uncorrected: encode(c.uncorrected) })),
      dropped: Object.fromEntries(this.dropped),
      windows: [...this.windows.entries()].sort((a, b) => a[0] - b[0]).map(([i, w]) => ({ i, count: w.count, failed: w.failed, hist: encode(w.hist) })),
      sendLag: encode(this.sendLag),
      loopDelay: encode(this.loopDelay),
      busyUs: this.busyUs,
      wallUs: this.wallUs,
      maxBusy: this.maxBusy,
      ...(this.sent > 0 ? { firstSendUs: this.firstSendUs, lastSendUs: this.lastSendUs } : {}),
    };
  }

  /** Add a snapshot (another worker's or another machine's) into this recorder, exactly. */
  add(s: RecorderSnapshot): void {
    if (s.windowMs !== this.windowMs) throw new Error(`cannot add load data with ${s.windowMs} ms windows to ${this.windowMs} ms windows`);
    this.planned += s.planned;
    this.sent += s.sent;
    for (const sc of s.cells) {
      const c = this.cell(sc.scenario, sc.name, sc.method, sc.expected);
      c.count += sc.count;
      for (const [k, v] of Object.entries(sc.statuses)) c.statuses[k] = (c.statuses[k] ?? 0) + v;
      addInto(c.corrected, decode(sc.corrected));
      addInto(c.uncorrected, decode(sc.uncorrected));
    }
    for (const [k, v] of Object.entries(s.dropped)) this.dropped.set(k, (this.dropped.get(k) ?? 0) + v);
    for (const sw of s.windows) {
      let w = this.windows.get(sw.i);
      if (!w) {
        w = { count: 0, failed: 0, hist: newHistogram(2) };
        this.windows.set(sw.i, w);
      }
      w.count += sw.count;
      w.failed += sw.failed;
      addInto(w.hist, decode(sw.hist, 2));
    }
    addInto(this.sendLag, decode(s.sendLag));
    if (s.loopDelay !== undefined) addInto(this.loopDelay, decode(s.loopDelay));
    this.busyUs += s.busyUs ?? 0;
    this.wallUs += s.wallUs ?? 0;
    this.maxBusy = Math.max(this.maxBusy, s.maxBusy ?? 0);
    if (s.firstSendUs !== undefined) this.firstSendUs = Math.min(this.firstSendUs, s.firstSendUs);
    if (s.lastSendUs !== undefined) this.lastSendUs = Math.max(this.lastSendUs, s.lastSendUs);
  }

  static from(snapshots: RecorderSnapshot[], windowMs = snapshots[0]?.windowMs ?? 1000): Recorder {
    const r = new Recorder(windowMs);
    for (const s of snapshots) r.add(s);
    return r;
  }
}
