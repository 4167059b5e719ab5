import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileLogSource } from '../src/sources/logs/file.ts';
import { newSignatures } from '../src/sources/logs/signatures.ts';
import { HISTORY_MS, openAppLog, startAppLog, tickLines, TICK_MS } from './applog.ts';

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('demo app log', () => {
  it('one normal line a tick, the background error every 50th, the new exception every 5th only with the fault', () => {
    const run = (newErrors: boolean) => Array.from({ length: 100 }, (_, n) => tickLines({ n, time: 0, version: 'v', newErrors })).flat();
    const errors = (lines: Array<Record<string, unknown>>) => lines.filter((l) => l.level === 'error').map((l) => String(l.msg));
    expect(run(false)).toHaveLength(102);
    expect(errors(run(false)).every((m) => m.startsWith('salesforce sandbox call timed out'))).toBe(true);
    expect(errors(run(true)).filter((m) => m.startsWith('TypeError'))).toHaveLength(20);
  });

  it('writes the previous release’s backdated minute, then live lines; the file source reads both windows', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pdv-applog-'));
    const path = join(dir, 'app.jsonl');
    const file = openAppLog(path);
    const now = Date.now();
    const flow = startAppLog(file, { version: '2', previousVersion: '1', newErrors: true, now });
    await new Promise((r) => setTimeout(r, 6 * TICK_MS + 50));
    flow.stop();
    file.close();
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { version: string; replayed?: boolean });
    expect(lines.filter((l) => l.replayed).length).toBe(HISTORY_MS / TICK_MS + (HISTORY_MS / TICK_MS) / 50);
    expect(lines.filter((l) => l.replayed).every((l) => l.version === '1')).toBe(true);
    expect(lines.some((l) => l.version === '2' && !l.replayed)).toBe(true);

    const src = new FileLogSource({ name: 'app', paths: [path], format: 'json' });
    const q = { stepMs: 1000, maxMessages: 1000 };
    const [before, after] = await Promise.all([src.window({ ...q, start: now - 20_000, end: now }), src.window({ ...q, start: now, end: Date.now() })]);
    expect(before.totalLines).toBeGreaterThan(100);
    expect(before.messages.every((m) => m.message.startsWith('salesforce'))).toBe(true);
    expect(newSignatures(before.messages, after.messages, 1).failing[0]?.signature).toBe('TypeError: Cannot read properties of undefined (reading <str>) in render job <n>');
  });
});
