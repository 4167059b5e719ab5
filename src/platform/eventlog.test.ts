import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EventLog, formatOf, parseEvents } from './eventlog.ts';
import { EVENTS_FORMAT, type RunEvent, type RunStartEvent } from '../core/events.ts';
import { Redactor } from '../core/redact.ts';
import { DEFAULT_POLICY } from '../core/policy.ts';
import { buildVerdict } from '../core/verdict.ts';

// events.jsonl carries its format; a log of the previous format replays to the
// same verdict after the upgrade, and a newer one is refused, not misread.

const dir = mkdtempSync(join(tmpdir(), 'pdv-eventlog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const target = { environment: 'staging', baseUrl: 'http://127.0.0.1:1' };
const start: RunStartEvent = { type: 'run.start', at: '2026-12-01T00:00:00.000Z', runId: 'r1', command: 'verify', target, plan: ['smoke'], required: ['smoke'], partial: false };
const failed = { id: 'smoke.readiness', stage: 'smoke', title: 'ready', severity: 'critical', status: 'failed', durationMs: 1, attempts: 1, evidence: [] } as const;
const lines = (events: object[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const v1 = lines([
  start,
  { type: 'stage.start', at: start.at, stage: 'smoke' },
  { type: 'check', at: start.at, check: failed },
  { type: 'stage.end', at: start.at, stage: { name: 'smoke', status: 'failed', durationMs: 1 } },
]);

describe('event log format', () => {
  it('stamps the current format on run.start', () => {
    const file = join(dir, 'events.jsonl');
    const log = new EventLog(file, new Redactor());
    log.append(start);
    log.close();
    const written = parseEvents(readFileSync(file, 'utf8'));
    expect(formatOf(written)).toBe(EVENTS_FORMAT);
    expect(written[0]).toMatchObject({ type: 'run.start', format: EVENTS_FORMAT });
  });

  it('replays a log of the previous format (no stamp, a failed check without a message) to the same verdict', () => {
    const events = parseEvents(v1);
    expect(formatOf(events)).toBe(EVENTS_FORMAT);
    const check = events.find((e) => e.type === 'check');
    expect(check?.type === 'check' && check.check.message).toMatch(/no message was recorded/);
    const report = buildVerdict(events, { ...DEFAULT_POLICY, overrides: [], quarantine: [] });
    expect(report.verdict).toBe('rollback');
    expect(report.reasons[0]?.checkId).toBe('smoke.readiness');
  });

  it('a current log replays unchanged', () => {
    const current = lines([{ ...start, format: EVENTS_FORMAT }, { type: 'check', at: start.at, check: { ...failed, message: 'HTTP 500' } }]);
    expect(parseEvents(current)[1]).toMatchObject({ check: { message: 'HTTP 500' } });
  });

  it('a log of a newer format is refused, naming the formats', () => {
    expect(() => parseEvents(lines([{ ...start, format: EVENTS_FORMAT + 1 }]))).toThrow(/newer pdv \(event format 3; this pdv reads up to 2\)/);
  });
});

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
