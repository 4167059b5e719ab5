import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../types.ts';
import { FileLogSource, lineParser, toEpochMs } from './file.ts';

const T0 = Date.UTC(2026, 11, 1, 10);
const MIN = 60_000;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdv-logs-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('line parsing', () => {
  const json = lineParser({ name: 'x', paths: [], format: 'json' });
  it.each([
    [`{"time":${T0},"level":"error","msg":"boom"}`, { time: T0, error: true, message: 'boom' }],
    [`{"timestamp":"2026-12-01T10:00:00Z","level":"INFO","message":"ok"}`, { time: T0, error: false, message: 'ok' }],
    [`{"time":${T0},"level":50,"msg":"pino error"}`, { time: T0, error: true, message: 'pino error' }],
    [`{"time":${T0 / 1000},"level":30,"msg":"seconds"}`, { time: T0, error: false, message: 'seconds' }],
    [`{"@timestamp":"2026-12-01T10:00:00Z","log":{"level":"error"},"error":{"message":"ecs"}}`, { time: T0, error: true, message: 'ecs' }],
    ['{"msg":"no time"}', undefined],
    ['not json', undefined],
  ])('json %s', (line, want) => expect(json(line)).toEqual(want));

  const text = lineParser({ name: 'x', paths: [], format: 'text' });
  it.each([
    ['2026-12-01T10:00:00Z ERROR db down', { time: T0, error: true, message: 'ERROR db down' }],
    ['[2026-12-01 10:00:00,000Z] INFO fine', { time: T0, error: false, message: 'INFO fine' }],
    ['no timestamp ERROR', undefined],
  ])('text %s', (line, want) => expect(text(line)).toEqual(want));

  it('an errorPattern overrides levels', () => {
    const p = lineParser({ name: 'x', paths: [], format: 'json', errorPattern: 'panic' });
    expect(p(`{"time":${T0},"level":"error","msg":"meh"}`)?.error).toBe(false);
    expect(p(`{"time":${T0},"level":"info","msg":"PANIC now"}`)?.error).toBe(true);
  });

  it('reads seconds and milliseconds', () => {
    expect(toEpochMs(1_700_000_000)).toBe(1_700_000_000_000);
    expect(toEpochMs(1_700_000_000_000)).toBe(1_700_000_000_000);
  });
});

describe('FileLogSource', () => {
  it('bins the window, keeps the newest error messages, skips lines outside it', async () => {
    const path = join(dir, 'app.log');
    const lines = [
      { time: T0 - 1, level: 'error', msg: 'outside' },
      { time: T0 + 1_000, level: 'info', msg: 'a' },
      { time: T0 + 2_000, level: 'error', msg: 'e1' },
      { time: T0 + MIN + 1, level: 'error', msg: 'e2' },
      { time: T0 + MIN + 2, level: 'error', msg: 'e3' },
      { time: T0 + 2 * MIN, level: 'info', msg: 'outside too' },
    ];
    await writeFile(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\ngarbage\n');
    const w = await new FileLogSource({ name: 'app', paths: [path], format: 'json' }).window({ start: T0, end: T0 + 2 * MIN, stepMs: MIN, maxMessages: 2 });
    expect(w.bins).toEqual([
      { t: T0, total: 2, errors: 1 },
      { t: T0 + MIN, total: 2, errors: 2 },
    ]);
    expect(w.messages.map((m) => m.message)).toEqual(['e2', 'e3']);
    expect([w.totalLines, w.errorLines, w.truncated]).toEqual([4, 3, true]);
  });

  it('a missing file is a SourceError (no evidence), not zero errors', async () => {
    await expect(new FileLogSource({ name: 'app', paths: [join(dir, 'nope.log')], format: 'json' }).window({ start: 0, end: 1, stepMs: 1, maxMessages: 1 })).rejects.toBeInstanceOf(SourceError);
  });
});
