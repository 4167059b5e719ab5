import { readFile } from 'node:fs/promises';
import { test, expect } from '../support/fixtures.ts';
import { apiUrl, PreconditionError, target } from '../support/target.ts';

// Staging must run production's flag set, with nothing experimental switched on.

interface FlagSet {
  environment?: string;
  flags: Record<string, { enabled: boolean; experimental?: boolean }>;
}

test('feature flags', { tag: ['@smoke', '@critical'] }, async ({ request }) => {
  if (!target.flagsMirror) throw new PreconditionError('no production flag mirror configured (stages.smoke.flagsMirror)');
  let mirror: FlagSet;
  try {
    mirror = JSON.parse(await readFile(target.flagsMirror, 'utf8')) as FlagSet;
  } catch (err) {
    throw new PreconditionError(`cannot read the production flag mirror ${target.flagsMirror}: ${(err as Error).message}`);
  }
  const res = await request.get(apiUrl('/api/flags'));
  expect(res.status(), 'GET /api/flags').toBe(200);
  const live = (await res.json()) as FlagSet;

  const experimentalOn = Object.entries(live.flags)
    .filter(([name, f]) => f.enabled && (f.experimental || mirror.flags[name]?.experimental))
    .map(([name]) => name);
  expect(experimentalOn, `experimental flags switched on: ${experimentalOn.join(', ')}`).toEqual([]);

  const drift = Object.keys({ ...mirror.flags, ...live.flags })
    .filter((name) => live.flags[name]?.enabled !== mirror.flags[name]?.enabled)
    .map((name) => `${name}: live ${live.flags[name]?.enabled ?? 'missing'}, production ${mirror.flags[name]?.enabled ?? 'missing'}`);
  expect(drift, `flags differing from the production mirror: ${drift.join('; ')}`).toEqual([]);
});
