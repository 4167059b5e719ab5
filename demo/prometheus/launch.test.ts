import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutPrometheus } from '../../e2e/helpers/prometheus.ts';
import { startPrometheus } from './launch.ts';

// Prometheus outlives a pdv killed -9: while it runs, its pid and storage
// folder are recorded for startup reaping (src/platform/reaper.ts).

const registry = mkdtempSync(join(tmpdir(), 'pdv-prom-owned-'));
const before = process.env.PDV_OWNED_DIR;
beforeAll(() => {
  process.env.PDV_OWNED_DIR = registry;
});
afterAll(() => {
  if (before === undefined) delete process.env.PDV_OWNED_DIR;
  else process.env.PDV_OWNED_DIR = before;
  rmSync(registry, { recursive: true, force: true });
});

const entries = (): Array<{ kind: string; pid?: number; path?: string }> =>
  readdirSync(registry)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => (JSON.parse(readFileSync(join(registry, f), 'utf8')) as { items: Array<{ kind: string; pid?: number; path?: string }> }).items);

describe.skipIf(skipWithoutPrometheus())('startPrometheus', () => {
  it('registers its process and storage while running; stop() unregisters both', async () => {
    const prom = await startPrometheus({ target: 'http://127.0.0.1:9/metrics' });
    try {
      expect(entries()).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'dir', path: prom.dir }), expect.objectContaining({ kind: 'process', pid: prom.pid })]));
    } finally {
      await prom.stop();
    }
    expect(existsSync(prom.dir)).toBe(false);
    expect(entries()).toEqual([]);
  });
});
