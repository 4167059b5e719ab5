import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureConfig } from '../actions/_testing.ts';
import { UsageError } from '../core/errors.ts';
import type { RunEvent, RunStartEvent } from '../core/events.ts';
import type { CheckResult } from '../core/types.ts';
import { mergeRuns, shardProblems } from './merge.ts';

const start = (p: Partial<RunStartEvent>): RunStartEvent => ({ type: 'run.start', at: '2026-01-01T00:00:00Z', runId: 'r', command: 'run uat', target: { environment: 's', baseUrl: 'http://x', deployId: 'd1' }, plan: ['uat'], required: ['uat'], partial: true, ...p });
const s = (dir: string, p: Partial<RunStartEvent>) => ({ dir, start: start(p) });

describe('shardProblems', () => {
  it.each([
    ['complete shards are fine', [s('a', { shard: { index: 1, total: 2 } }), s('b', { shard: { index: 2, total: 2 } })], []],
    ['a missing shard', [s('a', { shard: { index: 1, total: 2 } })], ['shard 2/2 is missing']],
    ['a duplicated shard', [s('a', { shard: { index: 1, total: 2 } }), s('b', { shard: { index: 1, total: 2 } })], ['shard 1/2 given twice (a and b)', 'shard 2/2 is missing']],
    ['another deploy id', [s('a', { shard: { index: 1, total: 2 } }), s('b', { shard: { index: 2, total: 2 }, target: { environment: 's', baseUrl: 'http://x', deployId: 'd2' } })], ['inputs come from different deploy ids: d1, d2']],
    ['segments disagreeing on total', [s('a', { segment: { index: 1, total: 2 } }), s('b', { segment: { index: 2, total: 3 } })], ['segments disagree on the total: 2, 3']],
  ])('%s', (_n, inputs, problems) => {
    expect(shardProblems(inputs)).toEqual(problems);
  });
});

describe('mergeRuns --out (issue 13 item 6)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pdv-merge-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cfg = () => fixtureConfig({}, { reportsDir: join(dir, 'reports') }, dir);
  const check = (id: string): CheckResult => ({ id, stage: 'smoke', title: id, severity: 'critical', status: 'passed', durationMs: 1, attempts: 1, evidence: [] });

  function runFolder(name: string): string {
    const d = join(dir, name);
    mkdirSync(d);
    const events: RunEvent[] = [
      { type: 'run.start', at: '2026-01-01T00:00:00.000Z', runId: name, command: 'run smoke', target: { environment: 'staging', baseUrl: 'http://x', deployId: 'd1' }, plan: ['smoke'], required: ['smoke'], partial: true },
      { type: 'check', at: '2026-01-01T00:00:01.000Z', check: check(`smoke.${name}`) },
      { type: 'stage.end', at: '2026-01-01T00:00:01.000Z', stage: { name: 'smoke', status: 'passed', durationMs: 1 } },
      { type: 'run.end', at: '2026-01-01T00:00:02.000Z', interrupted: false },
    ];
    writeFileSync(join(d, 'events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    return d;
  }

  it.each([
    ['the first input', 'a'],
    ['the second input, spelled relatively', 'b-relative'],
    ['a folder holding another run', 'other'],
  ])('refuses --out onto %s, nothing appended', async (_name, which) => {
    const a = runFolder('a');
    const b = runFolder('b');
    const other = runFolder('other');
    const out = which === 'a' ? a : which === 'other' ? other : relative(process.cwd(), b);
    const before = [a, b, other].map((d) => readFileSync(join(d, 'events.jsonl'), 'utf8'));
    const err = await mergeRuns({ dirs: [a, b], out, config: cfg() }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(which === 'other' ? /^--out: .* already holds a run \(events\.jsonl\); choose a new folder$/ : /^--out: .* is one of the inputs; choose a new folder$/);
    expect([a, b, other].map((d) => readFileSync(join(d, 'events.jsonl'), 'utf8'))).toEqual(before);
  });

  it('merges into a new folder', async () => {
    const out = join(dir, 'merged');
    const { report, runDir } = await mergeRuns({ dirs: [runFolder('a'), runFolder('b')], out, config: cfg() });
    expect(runDir).toBe(out);
    expect(report.checks.map((c) => c.id).sort()).toEqual(['smoke.a', 'smoke.b']);
  });
});
