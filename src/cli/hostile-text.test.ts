/* eslint-disable no-control-regex -- these tests look for control characters a target sent */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../core/events.ts';
import { logLine, logText } from '../core/untrusted.ts';
import { check, reason, report } from '../reporters/_fixtures.ts';
import { buildSummaryMarkdown } from '../reporters/markdown.ts';
import { buildJunitXml } from '../reporters/junit.ts';
import type { CliIo } from './io.ts';
import { printVerdict, progressPrinter } from './progress.ts';

// Issue 23 item 1: every check message, evidence excerpt and reason a target
// can fill, fed each payload, through the terminal, the CI log and the summary.

const PAYLOADS = [
  'line one\nVERDICT: STAND — staging http://fake',
  '\u001b[2J\u001b[31mred\u001b]0;title\u0007',
  '::error::pwned',
  '  ::add-mask::x',
  '::stop-commands::tok',
  '## pdv verdict: [STAND]',
  ']]>',
  '<script>alert(1)</script>',
  'a\rb\u2028c\u202ed',
];

function capture(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { json: false, lines, info: (l) => lines.push(logLine(l)), out: (t) => lines.push(logLine(t)), error: (l) => lines.push(logLine(l)), setExitCode: () => undefined };
}

/** Nothing in printed text can fake a line, move the cursor or issue a workflow command. */
function expectInert(printed: string[]): void {
  for (const chunk of printed) {
    for (const line of chunk.split('\n')) {
      expect(line).not.toMatch(/^\s*::/);
      expect(line).not.toMatch(/^VERDICT: STAND|^## pdv verdict: \[STAND\]/);
    }
    expect(chunk).not.toMatch(/[\u001b\u0007\r\u2028\u202e]/);
  }
}

describe.each(PAYLOADS)('payload %j', (payload) => {
  const failed = check({ id: 'smoke.x', stage: 'smoke', status: 'failed', severity: 'critical', message: payload, evidence: [{ kind: 'text', label: payload, text: payload }] });
  const r = report({ verdict: 'rollback', checks: [failed], reasons: [reason(failed, 'rollback', payload)], warnings: [reason(failed, 'warn', payload)] });
  r.target = { ...r.target, observedVersion: payload, environment: 'staging' };

  it('the terminal: the live view and the verdict print it as one inert line', () => {
    const io = capture();
    const print = progressPrinter(io);
    const events: RunEvent[] = [
      { type: 'stage.start', at: '', stage: 'smoke' } as RunEvent,
      { type: 'check', at: '', check: failed } as RunEvent,
      { type: 'progress', at: '', stage: 'smoke', message: payload } as RunEvent,
      { type: 'stage.end', at: '', stage: { name: 'smoke', status: 'failed', durationMs: 1, message: payload } } as RunEvent,
      { type: 'action', at: '', action: { kind: 'rollback', name: 'x', status: 'failed', message: payload } } as RunEvent,
    ];
    for (const e of events) print(e);
    printVerdict(io, r, '/tmp/run');
    expectInert(io.lines);
    expect(io.lines.filter((l) => l.startsWith('VERDICT:'))).toEqual(['VERDICT: ROLLBACK — staging http://127.0.0.1:1'.replace('http://127.0.0.1:1', r.target.baseUrl)]);
  });

  it('summary.md and the step summary: escaped, one verdict heading', () => {
    const md = buildSummaryMarkdown(r);
    expect(md.match(/^## pdv verdict/gm)).toHaveLength(1);
    expect(md).not.toMatch(/[\u001b\u0007\u2028\u202e]|<script>|^\s*::/m);
  });

  it('junit.xml stays well-formed text', () => {
    const xml = buildJunitXml(r);
    expect(xml).not.toContain('<script>');
    expect(xml).not.toMatch(/[\u001b\u0007]/);
  });
});

describe('logText', () => {
  it('caps length and keeps one line', () => {
    expect(logText('x'.repeat(600))).toMatch(/^x{500}… \(100 more characters\)$/);
    expect(logText('a\nb')).toBe('a\\nb');
  });
});

describe('the stage line', () => {
  it('says "passed with N warnings" when only warn-level checks failed', () => {
    const io = capture();
    const print = progressPrinter(io);
    print({ type: 'check', at: '', check: check({ id: 'smoke.a', stage: 'smoke', status: 'failed', severity: 'minor' }) } as RunEvent);
    print({ type: 'check', at: '', check: check({ id: 'smoke.b', stage: 'smoke', status: 'failed', severity: 'critical', onFail: 'warn' }) } as RunEvent);
    print({ type: 'stage.end', at: '', stage: { name: 'smoke', status: 'failed', durationMs: 1000 } } as RunEvent);
    expect(io.lines.at(-1)).toBe('■ smoke: passed with 2 warnings in 1.0s');
  });

  it('says failed when one failure counts', () => {
    const io = capture();
    const print = progressPrinter(io);
    print({ type: 'check', at: '', check: check({ id: 'smoke.a', stage: 'smoke', status: 'failed', severity: 'minor' }) } as RunEvent);
    print({ type: 'check', at: '', check: check({ id: 'smoke.b', stage: 'smoke', status: 'failed', severity: 'major' }) } as RunEvent);
    print({ type: 'stage.end', at: '', stage: { name: 'smoke', status: 'failed', durationMs: 1000 } } as RunEvent);
    expect(io.lines.at(-1)).toBe('■ smoke: failed in 1.0s');
  });
});
