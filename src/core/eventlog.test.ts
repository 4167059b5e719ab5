import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventLog, formatOf, parseEvents } from './eventlog.ts';
import { EVENTS_FORMAT, type RunStartEvent } from './events.ts';
import { Redactor } from './redact.ts';
import { DEFAULT_POLICY } from './policy.ts';
import { buildVerdict } from './verdict.ts';

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
