import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.ts';
import { thresholdCheckId } from '../stages/load/results.ts';
import { exportK6Script, exportTestRun, k6Options } from './k6-export.ts';
import { isK6SummaryFile, k6Checks, parseK6Summary } from './k6-import.ts';
import { validateScenario } from './scenario-file.ts';
import { environmentSchema } from '../target/environment.ts';

const loaded = validateScenario(
  {
    name: 'rt',
    login: { path: '/api/login' },
    scenarios: {
      api: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '30s', maxInFlight: 50, requests: [{ name: 'list', path: '/api/projects', role: 'viewer' }] },
      ramp: { executor: 'ramping-arrival-rate', startRate: 1, stages: [{ target: 10, duration: '1m' }], requests: [{ name: 'me', path: '/api/me' }] },
    },
    thresholds: {
      'http_req_duration{expected_response:true}': ['p(95)<300', { threshold: 'p(99)<800', abortOnFail: true, delayAbortEval: '10s' }],
      'http_req_duration{name:list}': ['avg<100'],
      http_req_failed: ['rate<0.01'],
    },
  },
  'perf/scenarios/rt.ts',
);
const env = environmentSchema.parse({ baseUrl: 'http://127.0.0.1:8080', credentials: { viewer: { username: 'v@x', passwordEnv: 'V_PW' } } });

/** What k6's handleSummary would hand back for these thresholds. */
function fakeSummary(ok: (expr: string) => boolean, values: Record<string, Record<string, number>>): unknown {
  const metrics: Record<string, unknown> = {};
  for (const [key, list] of Object.entries(loaded.scenario.thresholds)) {
    const type = key.startsWith('http_req_failed') ? 'rate' : 'trend';
    metrics[key] = {
      type,
      contains: type === 'trend' ? 'time' : 'default',
      values: values[key] ?? {},
      thresholds: Object.fromEntries(list.map((t) => [typeof t === 'string' ? t : t.threshold, { ok: ok(typeof t === 'string' ? t : t.threshold) }])),
    };
  }
  return { metrics, state: { testRunDurationMs: 30_000 } };
}

describe('k6 twin', () => {
  it('exports the same scenarios and thresholds', () => {
    const o = k6Options(loaded.scenario) as { scenarios: Record<string, Record<string, unknown>>; thresholds: Record<string, unknown[]> };
    expect(o.scenarios.api).toMatchObject({ executor: 'constant-arrival-rate', rate: 20, timeUnit: '1000ms', duration: '30000ms', maxVUs: 50, exec: 'run_api' });
    expect(o.scenarios.ramp).toMatchObject({ executor: 'ramping-arrival-rate', startRate: 1, stages: [{ target: 10, duration: '60000ms' }] });
    expect(o.thresholds['http_req_duration{expected_response:true}']).toEqual(['p(95)<300', { threshold: 'p(99)<800', abortOnFail: true, delayAbortEval: '10000ms' }]);
    const script = exportK6Script(loaded.scenario, { environment: env }, 'rt.ts');
    expect(script).toContain('export function handleSummary(data)');
    expect(script).toContain('export function run_ramp(data)');
    expect(script).toContain('"passwordEnv": "V_PW"');
    // The options block in the script is the same JSON.
    const block = /export const options = (\{[\s\S]*?\n\});/.exec(script)?.[1];
    expect(JSON.parse(block ?? '{}')).toEqual(o);
    expect(exportTestRun({ name: 'pdv-rt', configMap: 'pdv-rt', file: 'pdv-rt.k6.js', parallelism: 4 })).toMatch(/parallelism: 4[\s\S]*configMap:\s+name: pdv-rt\s+file: pdv-rt.k6.js/);
    // The Secret hint names the scenario's own password variables, never a value (and no demo default).
    const manifest = exportTestRun({ name: 'pdv-rt', configMap: 'pdv-rt', file: 'pdv-rt.k6.js', parallelism: 1, secretEnv: ['SHOP_READER_PW'] });
    expect(manifest).toContain('--from-literal=SHOP_READER_PW=…');
    expect(manifest).not.toContain('DEMO_');
  });

  it('round-trips: a k6 summary of the exported thresholds imports as checks with the native ids', () => {
    const summary = fakeSummary((e) => e !== 'avg<100', {
      'http_req_duration{expected_response:true}': { avg: 40, 'p(95)': 120, 'p(99)': 300, count: 600 },
      'http_req_duration{name:list}': { avg: 140, count: 500 },
      http_req_failed: { rate: 0.002, passes: 1, fails: 599 },
    });
    const checks = k6Checks(parseK6Summary(JSON.stringify(summary), 's.json'), 's.json', { severity: 'major' });
    expect(checks.map((c) => c.id).sort()).toEqual(loaded.thresholds.map(thresholdCheckId).sort());
    const byExpr = Object.fromEntries(checks.map((c) => [c.title.split(' ')[1], c]));
    expect(byExpr['avg<100']).toMatchObject({ status: 'failed', observed: 140, limit: 100, unit: 'ms' });
    expect(byExpr['p(99)<800']).toMatchObject({ status: 'passed', observed: 300 });
    expect(byExpr['rate<0.01']).toMatchObject({ status: 'passed', observed: 0.002, unit: 'ratio' });
  });

  it('a threshold over a metric with no samples is errored, not passed (k6 says ok)', () => {
    const summary = fakeSummary(() => true, { http_req_failed: { rate: 0, passes: 0, fails: 0 } });
    const checks = k6Checks(parseK6Summary(JSON.stringify(summary), 's.json'), 's.json', { severity: 'major' });
    expect(checks.every((c) => c.status === 'errored')).toBe(true);
  });

  it.each([
    ['not JSON', '{"metrics": ', /not JSON/],
    ['no metrics', '{"root_group": {}}', /no "metrics" object/],
    ['metric without values', '{"metrics": {"http_reqs": {"type": "counter"}}}', /has no type\/values/],
    ['threshold without ok', '{"metrics": {"http_reqs": {"type": "counter", "values": {"count": 1}, "thresholds": {"count>0": true}}}}', /no boolean "ok"/],
  ])('malformed file (%s) → UsageError naming the file', async (_name, text, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'pdv-k6-'));
    const file = join(dir, 'summary.json');
    await writeFile(file, text);
    expect(() => parseK6Summary(text, file)).toThrow(UsageError);
    expect(() => parseK6Summary(text, file)).toThrow(message);
    expect(() => parseK6Summary(text, file)).toThrow(file);
    expect(isK6SummaryFile(file)).toBe(false);
  });
});
