import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusSource } from './prometheus.ts';
import { SourceError } from './types.ts';

// A local server that answers like Prometheus — and misbehaves on purpose.
let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const q = u.searchParams.get('query');
    res.setHeader('content-type', 'application/json');
    if (q === 'bad(') return res.writeHead(400).end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }));
    if (q === 'html') return res.writeHead(502).end('<html>bad gateway</html>');
    if (q === 'scalar') return res.end(JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1790000000, '0.5'] } }));
    if (u.pathname === '/api/v1/query')
      return res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { a: '1' }, value: [1790000000.5, 'NaN'] }, { metric: { a: '2' }, value: [1790000000.5, '+Inf'] }, { metric: { a: '3' }, value: [1790000000.5, '42'] }] } }));
    res.writeHead(404).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('PrometheusSource', () => {
  it('parses vectors with NaN and +Inf, and scalars', async () => {
    const s = new PrometheusSource({ url });
    const v = await s.instant({ expr: 'x' });
    expect(v.map((x) => x.value)).toEqual([Number.NaN, Number.POSITIVE_INFINITY, 42]);
    expect(v[2]!.at).toBe(1790000000500);
    expect((await s.instant({ expr: 'scalar' }))[0]!.value).toBe(0.5);
  });
  it.each([
    ['bad(', /400 \(bad_data: parse error\)/],
    ['html', /502 \(<html>bad gateway/],
  ])('%s → SourceError', async (expr, msg) => {
    await expect(new PrometheusSource({ url }).instant({ expr })).rejects.toThrow(msg);
  });
  it('connection refused and an unknown endpoint are SourceErrors', async () => {
    await expect(new PrometheusSource({ url: 'http://127.0.0.1:1' }).instant({ expr: 'x' })).rejects.toBeInstanceOf(SourceError);
    await expect(new PrometheusSource({ url, timeoutMs: 1 }).range({ expr: 'x' }, { start: 0, end: 1, stepMs: 1 })).rejects.toBeInstanceOf(SourceError);
  });
});
