// A log source answers one question per window: how many lines, how many of
// them errors (per step), and the error messages themselves (for signatures).
// Drivers: CloudWatch Logs Insights (cloudwatch.ts) and local files (file.ts).

export interface LogWindowQuery {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  stepMs: number;
  /** Most error messages to return (the newest are kept). */
  maxMessages: number;
  signal?: AbortSignal;
}

export interface LogBin {
  /** Start of the bin, epoch ms. */
  t: number;
  total: number;
  errors: number;
}

export interface ErrorLine {
  time: number;
  message: string;
}

export interface LogWindow {
  bins: LogBin[];
  totalLines: number;
  errorLines: number;
  messages: ErrorLine[];
  /** More error lines matched than were returned. */
  truncated: boolean;
}

export interface LogSource {
  readonly kind: 'cloudwatch-logs' | 'file';
  readonly name: string;
  /** Where it reads (log groups, a file path): for the report. */
  readonly describe: string;
  /** Throws a SourceError (errored → hold) when it cannot answer. */
  window(q: LogWindowQuery): Promise<LogWindow>;
}

/** Bins from epoch-ms timestamps (pure). Empty bins inside the window count as 0 lines. */
export function binLines(lines: ReadonlyArray<{ time: number; error: boolean }>, q: Pick<LogWindowQuery, 'start' | 'end' | 'stepMs'>): LogBin[] {
  const n = Math.max(1, Math.ceil((q.end - q.start) / q.stepMs));
  const bins: LogBin[] = Array.from({ length: n }, (_, i) => ({ t: q.start + i * q.stepMs, total: 0, errors: 0 }));
  for (const l of lines) {
    if (l.time < q.start || l.time >= q.end) continue;
    const b = bins[Math.floor((l.time - q.start) / q.stepMs)]!;
    b.total++;
    if (l.error) b.errors++;
  }
  return bins;
}
