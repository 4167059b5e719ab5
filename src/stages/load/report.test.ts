import { describe, expect, it } from 'vitest';
import type { VerdictReport } from '../../core/types.ts';
import { Recorder } from '../../load/recorder.ts';
import { parseThresholds } from '../../load/thresholds.ts';
import { loadSection } from './report.ts';
import { loadChecks, summarizeLoad } from './results.ts';

function measured() {
  const rec = new Recorder(1000);
  const ok = rec.cell('api', 'list <projects>', 'GET', true);
  const bad = rec.cell('api', 'list <projects>', 'GET', false);
  for (let i = 0; i < 1000; i++) {
    rec.planned++;
    rec.sent++;
    rec.sendLag.recordValue(200);
    if (i % 100 === 0) rec.record(bad, 500, 5000, 4000, i * 5000);
    else rec.record(ok, 200, 2000 + (i % 10) * 1000, 1500, i * 5000);
  }
  rec.drop('api', 'list <projects>');
  rec.planned++;
  const thresholds = parseThresholds({ 'http_req_duration{name:list <projects>}': ['p(95)<10'], http_req_failed: ['rate<0.005'] }, 's.ts');
  return { recorder: rec, elapsedMs: 5000, workers: 1, thresholds, scenario: 'staging-api', file: 's.ts' };
}

describe('load report', () => {
  it('summary: percentiles, throughput, errors, status codes, dropped, series', () => {
    const m = measured();
    const s = summarizeLoad(m, { maxSendLag: 250 });
    expect(s).toMatchObject({ completed: 1000, failed: 10, dropped: 1, planned: 1001, throughput: 200, errorRate: 0.01, valid: true });
    expect(s.statusCodes).toEqual({ '200': 990, '500': 10 });
    expect(s.series).toHaveLength(5);
    expect(s.latency.corrected.p99).toBeGreaterThan(s.latency.uncorrected.p99);
    const checks = loadChecks(m, s, { severity: 'major' }, 1);
    expect(checks.map((c) => [c.id, c.status, c.observed, c.limit, c.unit])).toEqual([
      ['load.engine', 'passed', 0.2, 1, 'ms'],
      ['load.threshold.http-req-duration-name-list-lt-projects-gt.p-95-lt-10', 'failed', 11.007, 10, 'ms'],
      ['load.threshold.http-req-failed.rate-lt-0_005', 'failed', 0.01, 0.005, 'ratio'],
    ]);
  });

  it('invalid when the engine lagged: thresholds errored, not judged', () => {
    const m = measured();
    const s = summarizeLoad(m, { maxSendLag: 0.1 });
    expect(s.valid).toBe(false);
    expect(loadChecks(m, s, { severity: 'major' }, 1).map((c) => c.status)).toEqual(['errored', 'errored', 'errored']);
  });

  it('HTML section: charts, tables, escaped names', () => {
    const m = measured();
    const html = loadSection.render(summarizeLoad(m, { maxSendLag: 250 }), { report: {} as VerdictReport, key: 'load' });
    expect(html).toContain('Latency over time');
    expect(html).toContain('Latency distribution');
    expect(html).toContain('intended start (corrected, SLA)');
    // The generator's health sits beside the target's latencies.
    expect(html).toContain('generator: send lag');
    expect(html).toContain('generator: event-loop delay');
    expect(html).toContain('list &lt;projects&gt;');
    expect(html).not.toContain('list <projects>');
  });
});
