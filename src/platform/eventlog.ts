import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { UsageError } from '../core/errors.ts';
import { EVENTS_FORMAT, type RunEvent } from '../core/events.ts';
import type { Redactor } from '../core/redact.ts';

export const EVENTS_FILE = 'events.jsonl';

/**
 * Append-only JSONL log of one run. Each event is redacted, then written with
 * one write() call per line, so a crash loses at most the line in progress
 * and readers skip a torn last line.
 */
export class EventLog {
  private fd: number | undefined;
  readonly events: RunEvent[] = [];
  private readonly listeners: Array<(e: RunEvent) => void> = [];
  /** The first write that failed (a full disk): later events stay in memory only, and the run says so as a warning. */
  writeError: string | undefined;

  /**
   * `exclusive`: the log is created here and must not exist yet (`wx`), so two
   * runs can never share one run folder, however close together they start.
   */
  constructor(
    readonly file: string,
    private readonly redactor: Redactor,
    options: { exclusive?: boolean } = {},
  ) {
    try {
      this.fd = openSync(file, options.exclusive ? 'wx' : 'a');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new UsageError(code === 'EEXIST' ? `already holds a run (${EVENTS_FILE}); choose a new folder` : `cannot create the event log (${code})`, file);
    }
  }

  onEvent(listener: (e: RunEvent) => void): void {
    this.listeners.push(listener);
  }

  append(event: RunEvent): RunEvent {
    const stamped = event.type === 'run.start' && event.format === undefined ? { ...event, format: EVENTS_FORMAT } : event;
    const clean = this.redactor.deep(stamped);
    this.events.push(clean);
    if (this.fd !== undefined && this.writeError === undefined) {
      try {
        writeSync(this.fd, JSON.stringify(clean) + '\n');
      } catch (err) {
        // The run goes on from memory: its verdict and actions must not depend on the disk.
        this.writeError = `${EVENTS_FILE}: could not append (${(err as NodeJS.ErrnoException).code ?? String(err)}); later events are missing from it (the reports hold them)`;
      }
    }
    for (const l of this.listeners) {
      try {
        l(clean);
      } catch {
        // A broken listener (terminal view) must not sink the run.
      }
    }
    return clean;
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } catch (err) {
      this.writeError ??= `${EVENTS_FILE}: could not flush (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
    }
    closeSync(fd);
  }
}

/** Read a run's events; a torn final line (crash mid-write) is dropped, any other bad line is an error. */
export function readEvents(file: string): RunEvent[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the event log (${(err as NodeJS.ErrnoException).code ?? String(err)})`, file);
  }
  return parseEvents(text, file);
}

export function parseEvents(text: string, where = 'events.jsonl'): RunEvent[] {
  const lines = text.split('\n');
  const out: RunEvent[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const e = JSON.parse(line) as RunEvent;
      if (!e || typeof e !== 'object' || typeof e.type !== 'string') throw new Error('not an event');
      out.push(e);
    } catch {
      const last = lines.slice(i + 1).every((l) => !l.trim());
      if (!last) throw new UsageError(`line ${i + 1} is not a valid event`, where);
    }
  });
  return upgradeEvents(out, where);
}

/** The format a log was written in: its run.start's stamp, 1 before stamps existed. */
export function formatOf(events: readonly RunEvent[]): number {
  const start = events.find((e) => e.type === 'run.start');
  return start?.type === 'run.start' && typeof start.format === 'number' ? start.format : 1;
}

/** Bring a log of an older format up to EVENTS_FORMAT; a newer one is refused (this pdv cannot read it). */
export function upgradeEvents(events: RunEvent[], where = 'events.jsonl'): RunEvent[] {
  const format = formatOf(events);
  if (format > EVENTS_FORMAT) throw new UsageError(`written by a newer pdv (event format ${format}; this pdv reads up to ${EVENTS_FORMAT}): replay it with that version`, where);
  if (format === EVENTS_FORMAT) return events;
  // 1 → 2: a failed or errored check always says why.
  return events.map((e) => {
    if (e.type === 'run.start') return { ...e, format: EVENTS_FORMAT };
    if (e.type === 'check' && (e.check.status === 'failed' || e.check.status === 'errored') && !e.check.message) {
      return { ...e, check: { ...e.check, message: `${e.check.status} (no message was recorded: event format 1)` } };
    }
    return e;
  });
}
