import { describe, expect, it } from 'vitest';
import { parseExposition, parseSelector } from './exposition.ts';
import { evaluateSelector } from './scrape.ts';

const PAGE = `# HELP http_requests_total HTTP requests
# TYPE http_requests_total counter
http_requests_total{route="/api/projects",method="GET",status="200"} 12
http_requests_total{route="/api/projects",method="GET",status="500"} 3
http_requests_total{route="/health",method="GET",status="200"} 40 1790000000000
process_resident_memory_bytes 5.2e+07
demo_build_info{version="1.4.2",commit="a\\"b"} 1
weird_inf +Inf
`;

describe('exposition', () => {
  const samples = parseExposition(PAGE);
  it('parses samples, labels with escapes, exponents and Inf', () => {
    expect(samples).toHaveLength(6);
    expect(samples[3]).toEqual({ name: 'process_resident_memory_bytes', labels: {}, value: 52_000_000 });
    expect(samples[4]!.labels.commit).toBe('a"b');
    expect(samples[5]!.value).toBe(Number.POSITIVE_INFINITY);
  });
  it.each([
    ['process_resident_memory_bytes', [52_000_000]],
    ['http_requests_total{status="500"}', [3]],
    ['sum(http_requests_total{route=~"/api/.*"})', [15]],
    ['count(http_requests_total{status!="500"})', [2]],
    ['max(http_requests_total{status!~"2.."})', [3]],
    ['sum(nothing_here)', []],
  ])('%s → %j', (expr, values) => {
    const sel = parseSelector(expr);
    expect(sel).toBeDefined();
    expect(evaluateSelector(samples, sel!, 0).map((s) => s.value)).toEqual(values);
  });
  it.each(['rate(x[5m])', 'sum(x', 'x{a=b}', 'x + y'])('refuses %s (needs a Prometheus)', (expr) => {
    expect(parseSelector(expr)).toBeUndefined();
  });
});
