import { test, expect } from '../support/fixtures.ts';
import { apiUrl, target } from '../support/target.ts';
import { OBSERVATION_ANNOTATION } from '../../src/playwright/protocol.ts';

// Is the deploy alive and is it the build we meant to ship?

test('deep health', { tag: ['@smoke', '@critical'] }, async ({ request }) => {
  const res = await request.get(apiUrl('/health'));
  const body = (await res.json()) as { status?: string; checks?: Record<string, string> };
  expect(res.status(), `GET /health answered ${res.status()} ${JSON.stringify(body)}`).toBe(200);
  expect(body.status).toBe('ok');
  const notOk = Object.entries(body.checks ?? {}).filter(([, v]) => v !== 'ok');
  expect(notOk, 'dependencies not ok').toEqual([]);
  expect(Object.keys(body.checks ?? {}).length, 'health lists its dependencies').toBeGreaterThan(0);
});

test('live version', { tag: ['@smoke', '@critical'] }, async ({ request }, testInfo) => {
  const res = await request.get(apiUrl('/version'));
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { version?: string; commit?: string };
  expect(typeof body.version, 'version is a string').toBe('string');
  testInfo.annotations.push({ type: `${OBSERVATION_ANNOTATION}observedVersion`, description: String(body.version) });
  test.skip(!target.expectedVersion, 'no expected version given (--expect-version)');
  expect(body.version, `live version ${body.version}, expected ${target.expectedVersion}`).toBe(target.expectedVersion);
});
