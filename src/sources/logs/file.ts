import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { errorMessage } from '../../core/errors.ts';
import { SourceError } from '../types.ts';
import { binLines, type ErrorLine, type LogSource, type LogWindow, type LogWindowQuery } from './types.ts';

// Local log files: JSON lines (pino, bunyan, winston, ECS-ish field names) or
// plain text lines that start with an ISO timestamp. For on-prem targets and
// the demo. Lines without a readable time are not counted.

export interface FileLogOptions {
  name: string;
  paths: string[];
  format: 'json' | 'text';
  /** JSON: field names tried in order. */
  timeFields?: string[];
  messageFields?: string[];
  levelFields?: string[];
  /** JSON: level names that are errors (case-insensitive); numeric levels ≥ errorLevelNumber (pino/bunyan 50) too. */
  errorLevels?: string[];
  errorLevelNumber?: number;
  /** A regex on the message (text format; JSON too when set). */
  errorPattern?: string;
}

export const DEFAULT_TIME_FIELDS = ['time', 'timestamp', '@timestamp', 'ts'];
export const DEFAULT_MESSAGE_FIELDS = ['msg', 'message', '@message', 'error.message', 'err.message'];
export const DEFAULT_LEVEL_FIELDS = ['level', 'severity', 'log.level', 'lvl'];
export const DEFAULT_ERROR_LEVELS = ['error', 'fatal', 'critical', 'crit', 'alert', 'emergency', 'panic'];
export const DEFAULT_TEXT_ERROR = '\\b(?:ERROR|FATAL|CRITICAL|PANIC)\\b';

function pick(obj: Record<string, unknown>, path: string): unknown {
  let v: unknown = obj;
  for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  if (v === undefined && path.includes('.')) return obj[path];
  return v;
}

/** Epoch ms from a number (s or ms) or a date string; undefined when unreadable. */
export function toEpochMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v;
  if (typeof v === 'string' && v) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

export interface ParsedLine {
  time: number;
  error: boolean;
  message: string;
}

export function lineParser(o: FileLogOptions): (line: string) => ParsedLine | undefined {
  const pattern = o.errorPattern ? new RegExp(o.errorPattern, 'i') : undefined;
  if (o.format === 'text') {
    const re = pattern ?? new RegExp(DEFAULT_TEXT_ERROR);
    return (line) => {
      const m = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\]?\s*(.*)$/.exec(line);
      if (!m) return undefined;
      const time = toEpochMs(m[1]!.replace(' ', 'T').replace(',', '.'));
      return time === undefined ? undefined : { time, error: re.test(m[2]!), message: m[2]! };
    };
  }
  const timeFields = o.timeFields ?? DEFAULT_TIME_FIELDS;
  const messageFields = o.messageFields ?? DEFAULT_MESSAGE_FIELDS;
  const levelFields = o.levelFields ?? DEFAULT_LEVEL_FIELDS;
  const levels = new Set((o.errorLevels ?? DEFAULT_ERROR_LEVELS).map((l) => l.toLowerCase()));
  const levelNumber = o.errorLevelNumber ?? 50;
  return (line) => {
    if (!line.startsWith('{')) return undefined;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const time = timeFields.map((f) => toEpochMs(pick(obj, f))).find((t) => t !== undefined);
    if (time === undefined) return undefined;
    const raw = messageFields.map((f) => pick(obj, f)).find((m) => typeof m === 'string' && m.length > 0);
    const message = typeof raw === 'string' ? raw : '';
    const level = levelFields.map((f) => pick(obj, f)).find((l) => l !== undefined);
    const byLevel = typeof level === 'number' ? level >= levelNumber : typeof level === 'string' ? levels.has(level.toLowerCase()) : false;
    return { time, error: pattern ? pattern.test(message) : byLevel, message };
  };
}

export class FileLogSource implements LogSource {
  readonly kind = 'file' as const;
  readonly name: string;
  readonly describe: string;
  private readonly parse: (line: string) => ParsedLine | undefined;

  constructor(private readonly opts: FileLogOptions) {
    this.name = opts.name;
    this.describe = `file ${opts.paths.join(', ')} (${opts.format})`;
    this.parse = lineParser(opts);
  }

  async window(q: LogWindowQuery): Promise<LogWindow> {
    const lines: Array<{ time: number; error: boolean }> = [];
    const messages: ErrorLine[] = [];
    let errorLines = 0;
    for (const path of this.opts.paths) {
      try {
        await access(path);
      } catch (err) {
        throw new SourceError(this.name, `cannot read ${path}: ${errorMessage(err)}`);
      }
      const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
      for await (const line of rl) {
        if (q.signal?.aborted) {
          rl.close();
          throw new SourceError(this.name, 'aborted');
        }
        const p = this.parse(line);
        if (!p || p.time < q.start || p.time >= q.end) continue;
        lines.push({ time: p.time, error: p.error });
        if (p.error) {
          errorLines++;
          messages.push({ time: p.time, message: p.message });
        }
      }
    }
    messages.sort((a, b) => a.time - b.time);
    const kept = messages.slice(-q.maxMessages);
    return { bins: binLines(lines, q), totalLines: lines.length, errorLines, messages: kept, truncated: kept.length < messages.length };
  }
}
