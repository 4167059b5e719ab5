import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp } from './app.ts';

// The restored app is its own process group, so pdv's death does not end it:
// while it runs it is recorded for startup reaping (src/platform/reaper.ts).

const registry = mkdtempSync(join(tmpdir(), 'pdv-app-owned-'));
const before = process.env.PDV_OWNED_DIR;
beforeAll(() => {
  process.env.PDV_OWNED_DIR = registry;
});
afterAll(() => {
  if (before === undefined) delete process.env.PDV_OWNED_DIR;
  else process.env.PDV_OWNED_DIR = before;
  rmSync(registry, { recursive: true, force: true });
});

const entries = (): Array<{ kind: string; pid?: number; what: string }> =>
  readdirSync(registry)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => (JSON.parse(readFileSync(join(registry, f), 'utf8')) as { items: Array<{ kind: string; pid?: number; what: string }> }).items);

it('the restored app is registered while it runs and unregistered once stopped', async () => {
  const script = `console.log(JSON.stringify({ event: 'ready', baseUrl: 'http://127.0.0.1:1' })); setInterval(() => {}, 1000);`;
  const app = await startApp({ command: [process.execPath, '-e', script], env: {}, baseEnv: process.env, startTimeoutMs: 20_000, cwd: process.cwd() }, {}, new AbortController().signal);
  try {
    expect(entries()).toEqual([expect.objectContaining({ kind: 'process', pid: app.pid, what: 'restored DR app' })]);
  } finally {
    await app.stop();
  }
  expect(entries()).toEqual([]);
});
