import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBlueGreen, type BlueGreen } from './bluegreen.ts';

let bg: BlueGreen;
beforeAll(async () => {
  bg = await startBlueGreen({ faults: ['health-down'], env: { DEMO_SWITCH_TOKEN: 'switch-token-for-tests' } });
}, 300_000); // two demo processes start; slow on a busy machine
afterAll(async () => {
  await bg?.stop();
});

const get = async (path: string) => {
  const res = await fetch(new URL(path, bg.baseUrl));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

it('serves green (the new version, with its faults) until switched back to blue by the rollback script', async () => {
  expect(bg.active()).toBe('green');
  expect((await get('/version')).body.version).toBe(bg.green.version);
  expect((await get('/health')).status).toBe(503);

  const noToken = await fetch(`${bg.baseUrl}/__switch`, { method: 'POST', body: JSON.stringify({ to: 'blue' }) });
  expect(noToken.status).toBe(401);
  const wrong = await fetch(`${bg.baseUrl}/__switch`, { method: 'POST', headers: { authorization: 'Bearer nope' }, body: JSON.stringify({ to: 'blue' }) });
  expect(wrong.status).toBe(401);
  expect(bg.active()).toBe('green');

  const script = fileURLToPath(new URL('./switch-back.ts', import.meta.url));
  // Async: the proxy lives in this process and must keep serving while the script runs.
  const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, 'blue'], { env: { ...process.env, ...bg.switchEnv }, encoding: 'utf8' });
  expect(r.stdout).toContain('switched to blue');
  expect(bg.active()).toBe('blue');
  expect((await get('/version')).body.version).toBe(bg.blue.version);
  expect(await get('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
});

it('the switch-back script fails (non-zero) without its env, so a rollback action would record a failure', () => {
  const script = fileURLToPath(new URL('./switch-back.ts', import.meta.url));
  const env = { ...process.env };
  delete env.DEMO_SWITCH_URL;
  delete env.DEMO_SWITCH_TOKEN;
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, 'blue'], { env, encoding: 'utf8' });
  expect(r.status).not.toBe(0);
});
