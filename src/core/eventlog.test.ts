import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLog } from './eventlog.ts';
import type { RunEvent } from './events.ts';
import { Redactor } from './redact.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const event = { type: 'run.end', at: '2026-01-01T00:00:00Z', interrupted: false } as RunEvent;

describe('EventLog (issue 23 item 7)', () => {
  it('an exclusive log claims its run folder: a second one in the same folder is a usage error and the first is untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pdv-eventlog-'));
    dirs.push(dir);
    const first = new EventLog(join(dir, 'events.jsonl'), new Redactor(), { exclusive: true });
    first.append(event);
    expect(() => new EventLog(join(dir, 'events.jsonl'), new Redactor(), { exclusive: true })).toThrow(/already holds a run/);
    first.close();
    expect(readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('a full disk (/dev/full) never throws into the run: events stay in memory and the failure is kept as a warning', () => {
    if (!existsSync('/dev/full')) throw new Error('/dev/full is needed (Linux)');
    const log = new EventLog('/dev/full', new Redactor());
    expect(() => log.append(event)).not.toThrow();
    log.append(event);
    log.close();
    expect(log.events).toHaveLength(2);
    expect(log.writeError).toMatch(/ENOSPC/);
  });
});
