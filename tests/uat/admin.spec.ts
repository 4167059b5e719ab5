import { test, expect } from '../support/fixtures.ts';
import { apiUrl } from '../support/target.ts';
import { FlagsPage } from '../support/pages/flags-page.ts';

// An admin can see what is switched on in this environment.

test.describe('admin', { tag: ['@uat', '@admin'] }, () => {
  test.use({ role: 'admin' });

  test('sees the environment feature flags', { tag: '@major' }, async ({ page, api }) => {
    const live = (await (await api.get(apiUrl('/api/flags'))).json()) as { environment: string; flags: Record<string, { enabled: boolean }> };
    const flags = new FlagsPage(page);
    await flags.goto();
    await expect(flags.environment).toHaveText(live.environment);
    const expected = Object.fromEntries(Object.entries(live.flags).map(([name, f]) => [name, f.enabled ? 'on' : 'off']));
    expect(await flags.shown()).toEqual(expected);
  });
});
