import { Redactor } from '../src/core/redact.ts';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JSON-lines logger to stderr (stdout carries only the ready line), redacting secrets. */
export class DemoLog {
  readonly redactor = new Redactor();
  constructor(private readonly min: Level = 'info', private readonly write: (line: string) => void = (l) => process.stderr.write(l)) {}

  addSecret(value: string): void {
    this.redactor.addSecret('demo', value);
  }

  log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
    if (ORDER[level] < ORDER[this.min]) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
    this.write(this.redactor.text(line) + '\n');
  }

  info(msg: string, fields?: Record<string, unknown>): void { this.log('info', msg, fields); }
  warn(msg: string, fields?: Record<string, unknown>): void { this.log('warn', msg, fields); }
  error(msg: string, fields?: Record<string, unknown>): void { this.log('error', msg, fields); }
  debug(msg: string, fields?: Record<string, unknown>): void { this.log('debug', msg, fields); }
}

export function errorFields(err: unknown): Record<string, unknown> {
  return err instanceof Error ? { err: err.message, stack: err.stack } : { err: String(err) };
}
