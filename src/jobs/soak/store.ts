import { closeSync, createReadStream, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeFileAtomicSync } from '../../platform/fs.ts';
import { UsageError } from '../../core/errors.ts';
import { PLAN_FILE, STATE_FILE, TICKS_FILE, type SoakPlan, type SoakState, type TickRecord } from './types.ts';

// Durable, constant-cost storage. A tick appends one line with one write()
// and fsyncs it, then rewrites the small state file atomically; kill -9
// between the two loses nothing (the journal is the truth, state.ticks a
// counter): the next tick numbers itself from the journal's last record, and
// readers count each sequence number once. A torn last line (killed
// mid-write) is skipped by readers and sealed off with a newline by the next
// append.

function readJson<T>(file: string): T {
  if (!existsSync(file)) throw new UsageError('not a soak folder (missing file)', file);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new UsageError(`unreadable: ${err instanceof Error ? err.message : String(err)}`, file);
  }
}

export function readPlan(dir: string): SoakPlan {
  return readJson<SoakPlan>(join(dir, PLAN_FILE));
}

export function readState(dir: string): SoakState {
  return readJson<SoakState>(join(dir, STATE_FILE));
}

export function writeState(dir: string, state: SoakState): void {
  writeFileAtomicSync(join(dir, STATE_FILE), JSON.stringify(state, null, 2) + '\n');
}

export function writePlan(dir: string, plan: SoakPlan): void {
  writeFileAtomicSync(join(dir, PLAN_FILE), JSON.stringify(plan, null, 2) + '\n');
}

/** Append one tick durably. Reads at most one byte of the journal, whatever its size. */
export function appendTick(dir: string, tick: TickRecord): void {
  const fd = openSync(join(dir, TICKS_FILE), 'a+');
  try {
    const size = fstatSync(fd).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n'; // seal a torn line from a killed tick
    }
    writeSync(fd, prefix + JSON.stringify(tick) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function parseTick(line: string): TickRecord | undefined {
  try {
    const rec = JSON.parse(line) as TickRecord;
    return rec && typeof rec.seq === 'number' && typeof rec.at === 'string' ? rec : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The journal's last whole record, reading only its tail (a window that
 * grows only when a record is longer than it), so a tick's cost stays flat.
 */
export function lastTick(dir: string): TickRecord | undefined {
  const file = join(dir, TICKS_FILE);
  if (!existsSync(file)) return undefined;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    for (let window = 64 * 1024; ; window *= 4) {
      const from = Math.max(0, size - window);
      const buf = Buffer.alloc(size - from);
      readSync(fd, buf, 0, buf.length, from);
      const lines = buf.toString('utf8').split('\n');
      if (from > 0) lines.shift(); // may start mid-record
      for (let i = lines.length - 1; i >= 0; i--) {
        const rec = lines[i] ? parseTick(lines[i]!) : undefined;
        if (rec) return rec;
      }
      if (from === 0) return undefined;
    }
  } finally {
    closeSync(fd);
  }
}

export interface ReadTicksResult {
  ticks: number;
  /** Lines that did not parse (a torn tail after kill -9). */
  skipped: number;
  /** Records whose sequence number was already seen (journals written before seq came from the journal). */
  duplicates: number;
}

/** Stream the journal once, calling `onTick` per record: memory stays flat whatever its length. */
export async function readTicks(dir: string, onTick: (t: TickRecord) => void): Promise<ReadTicksResult> {
  const file = join(dir, TICKS_FILE);
  if (!existsSync(file)) return { ticks: 0, skipped: 0, duplicates: 0 };
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Number.POSITIVE_INFINITY });
  let ticks = 0;
  let skipped = 0;
  let duplicates = 0;
  let lastSeq = Number.NEGATIVE_INFINITY;
  for await (const line of rl) {
    if (!line) continue;
    const rec = parseTick(line);
    if (!rec) {
      skipped++;
      continue;
    }
    // Appends number themselves after the last record, so a sequence number
    // not above the last one is a repeat: count the sample once.
    if (rec.seq <= lastSeq) {
      duplicates++;
      continue;
    }
    lastSeq = rec.seq;
    ticks++;
    onTick(rec);
  }
  return { ticks, skipped, duplicates };
}
