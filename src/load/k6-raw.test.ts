import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.ts';
import { evaluateThreshold, mergedHistogram } from './evaluate.ts';
import { isK6RawFile, importK6Raw } from './k6-raw.ts';
import { isK6SummaryFile } from './k6-import.ts';
import { parseThresholds } from './thresholds.ts';

// Fixtures: three pods' raw output of one k6-operator run (`k6 run --out json=pod-N.json`, the third
// gzipped). No k6 binary could be installed here, so they were written once to k6's documented JSON
// output format (grafana.com/docs/k6/latest/results-output/real-time/json): Metric and Point lines,
// nanosecond ISO times with an offset, the tags k6 puts on HTTP samples.

const FIX = new URL('./fixtures/k6-raw/', import.meta.url).pathname;
const PODS = ['pod-1.json', 'pod-2.json', 'pod-3.json.gz'].map((f) => join(FIX, f));

/** Every http_req_duration sample of the fixtures, straight from the files. */
function samples(filter: (tags: Record<string, string>) => boolean = () => true): number[] {
  const out: number[] = [];
  for (const f of PODS) {
    const text = f.endsWith('.gz') ? gunzipSync(readFileSync(f)).toString('utf8') : readFileSync(f, 'utf8');
    for (const line of text.split('\n').filter(Boolean)) {
      const o = JSON.parse(line) as { type: string; metric: string; data: { value: number; tags: Record<string, string> } };
      if (o.type === 'Point' && o.metric === 'http_req_duration' && filter(o.data.tags)) out.push(o.data.value);
    }
  }
  return out.sort((a, b) => a - b);
}

/** The exact percentile (nearest rank) of the union of every pod's samples. */
function exact(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

describe('k6 raw output (--out json) of every pod → exact HDR percentiles', () => {
  it('recognises raw output and tells it from a summary', () => {
    for (const f of PODS) expect(isK6RawFile(f)).toBe(true);
    expect(isK6SummaryFile(PODS[0] as string)).toBe(false);
  });

  it('three pods add up: counts exact, percentiles equal the union of all samples within HDR precision (0.1 %)', async () => {
    const imp = await importK6Raw(PODS, 1000);
    const all = samples();
    const rec = imp.recorder;
    expect(all).toHaveLength(450);
    expect([...rec.cells.values()].reduce((a, c) => a + c.count, 0)).toBe(450);
    expect(imp.files.map((f) => f.requests)).toEqual([150, 150, 150]);
    // dropped_iterations points: 0 + 1 + 2
    expect([...rec.dropped.values()].reduce((a, b) => a + b, 0)).toBe(3);
    const h = mergedHistogram([...rec.cells.values()], 'corrected');
    for (const p of [50, 90, 95, 99, 100]) {
      const want = exact(all, p);
      expect(Math.abs(h.getValueAtPercentile(p) / 1000 - want)).toBeLessThanOrEqual(want * 0.001 + 0.001);
    }
    // A threshold on a tag filter is judged on the exact sum of the matching samples of all pods.
    const [t] = parseThresholds({ 'http_req_duration{name:get project}': ['p(95)<300'] }, 's.ts');
    const r = evaluateThreshold(t!, rec, imp.elapsedMs);
    const sub = samples((tags) => tags.name === 'get project');
    expect(r.samples).toBe(sub.length);
    expect(Math.abs((r.observed ?? 0) - exact(sub, 95))).toBeLessThanOrEqual(exact(sub, 95) * 0.001 + 0.001);
    const [failed] = parseThresholds({ http_req_failed: ['rate<0.01'] }, 's.ts');
    const nFailed = samples((tags) => tags.expected_response === 'false').length;
    expect(nFailed).toBeGreaterThan(0);
    expect(evaluateThreshold(failed!, rec, imp.elapsedMs).observed).toBe(nFailed / 450);
  });

  it('a malformed line is a usage error naming the file and line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pdv-k6raw-'));
    const f = join(dir, 'pod.json');
    const good = readFileSync(PODS[0] as string, 'utf8').split('\n').slice(0, 10).join('\n');
    await writeFile(f, `${good}\n{"type":"Point","metric":"http_req_duration","data":{"time":"soon","value":1}}\n`);
    const err = await importK6Raw([f], 1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(String((err as UsageError).message) + String((err as UsageError).where)).toMatch(/pod\.json:11/);
  });
});
