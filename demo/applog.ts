import { closeSync, openSync, writeSync } from 'node:fs';
import type { Stopper } from './chaos.ts';

// The demo's application log file (`--log-file`): JSON lines, one steady
// flow of normal lines (the render queue's poll, every TICK_MS) with the
// demo's one known background error now and then, as a long-running
// service writes. The demo has no previous process whose logs could be the
// "before the deploy" window, so at start it writes the previous release's
// last minute first: the same mix, backdated, tagged `version:
// <previousVersion>` and `replayed: true`. Fault new-errors adds an
// exception that release never had, at a steady rate, from the start on.

export const TICK_MS = 200;
/** How much of the previous release's log is written at start. */
export const HISTORY_MS = 60_000;
const BACKGROUND_EVERY = 50; // one sandbox timeout per 10 s, before and after alike
const NEW_ERROR_EVERY = 5; // fault new-errors: one per second

export interface AppLogFile {
  /** Append one already-serialised line (DemoLog tees its lines here). */
  write(line: string): void;
  close(): void;
}

export function openAppLog(path: string): AppLogFile {
  const fd = openSync(path, 'a');
  let open = true;
  return {
    write(line) {
      if (open) writeSync(fd, line.endsWith('\n') ? line : `${line}\n`);
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

interface Tick {
  n: number;
  time: number;
  version: string;
  replayed?: boolean;
  newErrors: boolean;
}

/** The lines one tick writes (pure, so the history and the live flow are the same mix). */
export function tickLines(t: Tick): Array<Record<string, unknown>> {
  const base = { time: new Date(t.time).toISOString(), version: t.version, ...(t.replayed ? { replayed: true } : {}) };
  const out: Array<Record<string, unknown>> = [{ ...base, level: 'info', msg: 'render queue polled', queued: t.n % 3 }];
  if (t.n % BACKGROUND_EVERY === BACKGROUND_EVERY - 1) out.push({ ...base, level: 'error', msg: `salesforce sandbox call timed out after ${5000 + (t.n % 97)} ms` });
  if (t.newErrors && t.n % NEW_ERROR_EVERY === NEW_ERROR_EVERY - 1) {
    out.push({ ...base, level: 'error', msg: `TypeError: Cannot read properties of undefined (reading 'thumbnailUrl') in render job ${1000 + t.n}` });
  }
  return out;
}

/** Writes the previous release's backdated minute, then ticks until stopped. */
export function startAppLog(file: AppLogFile, o: { version: string; previousVersion: string; newErrors: boolean; now?: number }): Stopper {
  const start = o.now ?? Date.now();
  const history: string[] = [];
  for (let n = 0, t = start - HISTORY_MS; t < start; n++, t += TICK_MS) {
    for (const l of tickLines({ n, time: t, version: o.previousVersion, replayed: true, newErrors: false })) history.push(JSON.stringify(l));
  }
  file.write(history.join('\n'));
  let n = 0;
  const timer = setInterval(() => {
    for (const l of tickLines({ n: n++, time: Date.now(), version: o.version, newErrors: o.newErrors })) file.write(JSON.stringify(l));
  }, TICK_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

