// Report writing time and size by run size (figures, not asserts):
// build + write of verdict.json, summary.md, junit.xml, index.html, with the
// run's redactor (the real path) and without it. Median of 3.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redactor } from '../../src/core/redact.ts';
import { check, report } from '../../src/reporters/_fixtures.ts';
import { defaultReporters, writeReports } from '../../src/reporters/index.ts';

function bigReport(n: number): ReturnType<typeof report> {
  const checks = Array.from({ length: n }, (_, i) =>
    check({
      id: `uat.c${i}`,
      stage: 'uat',
      status: i % 50 ? 'passed' : 'failed',
      message: `message ${i}`,
      evidence: [{ kind: 'http', label: 'GET /api/projects', data: { status: 200, body: 'x'.repeat(200) } }],
    }),
  );
  // A 48-hour soak sampled once a minute.
  const series = Array.from({ length: 2880 }, (_, i) => ({ x: i * 60, y: 100 + (i % 7) }));
  return report({ checks, extras: { soak: { series } } });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const n of [50, 500, 5000]) {
  const r = bigReport(n);
  for (const redact of [false, true]) {
    const times: number[] = [];
    let size = 0;
    for (let i = 0; i < 3; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'pdv-bench-reports-'));
      const t = performance.now();
      const res = await writeReports(r, dir, {
        reporters: defaultReporters({ env: {} }),
        ...(redact ? { redactor: new Redactor([['PW', 'bench-secret-value']]) } : {}),
      });
      times.push(performance.now() - t);
      size = res.written.reduce((s, f) => s + statSync(join(dir, f)).size, 0);
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`${String(n).padStart(5)} checks  redactor=${redact ? 'yes' : 'no '}  ${median(times).toFixed(0).padStart(5)} ms  ${(size / 1e6).toFixed(2)} MB written`);
  }
}
