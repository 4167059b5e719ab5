import { describe, expect, it } from 'vitest';
import type { VerdictReport } from '../../core/types.ts';
import { metricsSection } from '../../stages/metrics/report.ts';
import { soakSection } from './soak-section.ts';

const ctx = { report: {} as VerdictReport, key: 'x' };

describe('metrics and soak sections', () => {
  it('metrics: measurements table, both comparison windows charted, the deploy marked, values escaped', () => {
    const html = metricsSection.render(
      {
        deployTime: '2026-11-26T04:00:00.000Z',
        alarms: [{ name: 'Api<5xx>', state: 'alarm', rawState: 'ALARM', reason: 'x' }],
        rules: [{ id: 'metrics.rule.r', name: 'r', source: 'prom', query: 'up', successCondition: 'value >= 1', status: 'passed', measurements: [{ at: '2026-11-26T04:00:01.000Z', phase: 'successful', values: [1] }, { at: '2026-11-26T04:00:02.000Z', phase: 'successful', values: [1] }] }],
        comparisons: [{ id: 'metrics.compare.c', name: 'c', query: 'q', status: 'failed', message: 'worse', before: [[Date.parse('2026-11-26T03:59:00Z'), 1], [Date.parse('2026-11-26T03:59:30Z'), 1]], after: [[Date.parse('2026-11-26T04:00:30Z'), 5], [Date.parse('2026-11-26T04:01:00Z'), 6]], medianBefore: 1 }],
      },
      ctx,
    );
    expect(html).toContain('Api&lt;5xx&gt;');
    expect(html).toContain('before deploy');
    expect(html).toContain('after deploy');
    expect(html).toContain('deploy');
    expect((html.match(/<svg/g) ?? []).length).toBe(2);
  });
  it('soak: one chart per series, trend table, interim note', () => {
    const html = soakSection.render(
      {
        id: 's',
        final: false,
        startedAt: '2026-11-26T04:00:00.000Z',
        warmupEndsAt: '2026-11-26T04:10:00.000Z',
        series: [{ name: 'memory', title: 'Memory', unit: 'bytes', allowedPerHour: 1, errors: 0, points: [[Date.parse('2026-11-26T04:11:00Z'), 1], [Date.parse('2026-11-26T04:12:00Z'), 2]], trend: { slopePerHour: 60, ci: [50, 70], allowedEnd: { at: Date.parse('2026-11-26T04:12:00Z'), value: 1.5 } } }],
      },
      ctx,
    );
    expect((html.match(/<svg/g) ?? []).length).toBe(1);
    expect(html).toContain('50 … 70');
    expect(html).toContain('Interim verdict');
    expect(html).toContain('allowed growth by the end');
  });
});
