import { describe, expect, it } from 'vitest';
import type { VerdictReport } from '../../core/types.ts';
import { logsPart } from './report-logs.ts';
import { metricsSection } from './report.ts';
import { tracesPart } from './report-traces.ts';

const ctx = { report: {} as VerdictReport, key: 'metrics' };
const T = Date.parse('2026-12-01T10:00:00Z');
const MIN = 60_000;

const logs = {
  name: 'app',
  source: 'file /tmp/app.jsonl (json)',
  deployTime: new Date(T).toISOString(),
  before: { lines: 200, errors: 2, rate: [[T - 2 * MIN, 0.01], [T - MIN, 0.01]] as Array<[number, number]> },
  after: { lines: 200, errors: 30, rate: [[T, 0.15], [T + MIN, 0.15]] as Array<[number, number]> },
  newSignatures: [{ fingerprint: 'f1', signature: 'render <n> failed: <str> missing', count: 28, example: 'render 7 failed: "<b>x</b>" missing' }],
};
const traces = {
  name: 'xray',
  deployTime: new Date(T).toISOString(),
  before: [
    { key: 'api (AWS::ECS::Container)', name: 'api', requests: 1000, faults: 10, errors: 0, throttles: 0 },
    { key: 'worker', name: 'worker', requests: 50, faults: 0, errors: 0, throttles: 0 },
  ],
  after: [{ key: 'api (AWS::ECS::Container)', name: 'api', requests: 900, faults: 90, errors: 0, throttles: 0 }],
  latency: [{ service: 'api (AWS::ECS::Container)', status: 'failed', medianBefore: 0.05, medianAfter: 0.2 }],
};

describe('logs and traces in the metrics section', () => {
  it('logs: the error share before and after on one chart with the deploy marked, new signatures with counts and an escaped example', () => {
    const html = logsPart([logs]);
    expect(html).toContain('<h3>Logs</h3>');
    expect((html.match(/<svg/g) ?? []).length).toBe(1);
    expect(html).toContain('before deploy');
    expect(html).toContain('after deploy');
    expect(html).toContain('>deploy<');
    expect(html).toContain('<td>render &lt;n&gt; failed: &lt;str&gt; missing</td><td class="num">28</td>');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('30 / 200 lines (15.00%)');
  });

  it('logs: no new signature says so; a source without evidence shows why and no chart', () => {
    expect(logsPart([{ ...logs, newSignatures: [] }])).toContain('No error signature appeared');
    const errored = logsPart([{ name: 'app', source: 's', deployTime: logs.deployTime, error: '0 line(s) before the deploy' }]);
    expect(errored).toContain('No evidence: 0 line(s) before the deploy');
    expect(errored).not.toContain('<svg');
  });

  it('traces: a row per service with shares before → after, the latency medians, a vanished service marked gone', () => {
    const html = tracesPart([traces]);
    expect(html).toContain('<h3>Traces</h3>');
    expect(html).toContain('<td>1.00% → 10.00%</td>');
    expect(html).toContain('50 ms → 200 ms');
    expect(html).toMatch(/worker <span class="status failed">failed<\/span> gone/);
    expect(tracesPart([{ name: 'xray', error: 'throttled' }])).toContain('No evidence: throttled');
  });

  it('each part shows only when the stage read that kind of data', () => {
    const bare = metricsSection.render({ deployTime: logs.deployTime, alarms: [], rules: [], comparisons: [] }, ctx);
    expect(bare).not.toContain('Logs');
    expect(bare).not.toContain('Traces');
    expect(logsPart(undefined) + logsPart([]) + tracesPart(undefined)).toBe('');
    const full = metricsSection.render({ deployTime: logs.deployTime, logs: [logs], traces: [traces] }, ctx);
    expect(full).toContain('<h3>Logs</h3>');
    expect(full).toContain('<h3>Traces</h3>');
  });
});
