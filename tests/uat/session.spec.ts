import { test, expect } from '../support/fixtures.ts';
import { apiLogin } from '../support/api.ts';
import { apiUrl } from '../support/target.ts';
import { Nav } from '../support/pages/nav.ts';

// Signing out must really end the session. The test signs in a session of
// its own, so the stored role sessions other flows use stay valid.

test.describe('session', { tag: ['@uat', '@session'] }, () => {
  test('logout ends the session', { tag: '@critical' }, async ({ page, context }) => {
    const { token } = await apiLogin(context.request, 'editor');
    await page.goto('/projects');
    await expect(page.getByTestId('page-projects')).toBeVisible();

    await new Nav(page).logout();

    await page.goto('/projects');
    await expect(page, 'a protected page sends us to login').toHaveURL(/\/login\?returnTo=%2Fprojects/);
    // The server must have dropped the session, not just the browser its cookie.
    const me = await context.request.get(apiUrl('/api/me'), { headers: { authorization: `Bearer ${token}` } });
    expect(me.status(), 'GET /api/me with the signed-out token').toBe(401);
  });
});
