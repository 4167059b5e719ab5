// In your project: import { test, expect } from 'pdv/playwright';
import { test, expect } from '../../../src/playwright/fixtures.ts';

// Each role opens the admin with the session pdv signed in (no password in
// the spec): the admin index greets them by name, and shows only what their
// permissions allow.

test.describe('admin', { tag: '@uat' }, () => {
  test.use({ role: 'admin' });

  test('is greeted and may add users', { tag: '@critical' }, async ({ page }) => {
    await page.goto('/admin/');
    await expect(page.getByRole('heading', { name: 'Site administration' })).toBeVisible();
    await expect(page.locator('#user-tools')).toContainText('Welcome, admin');
    await expect(page.locator('a.addlink[href="/admin/auth/user/add/"]')).toBeVisible();
  });
});

test.describe('editor', { tag: '@uat' }, () => {
  test.use({ role: 'editor' });

  test('is greeted and may only view users', { tag: '@critical' }, async ({ page }) => {
    await page.goto('/admin/');
    await expect(page.getByRole('heading', { name: 'Site administration' })).toBeVisible();
    await expect(page.locator('#user-tools')).toContainText('Welcome, editor');
    await expect(page.locator('a.viewlink[href="/admin/auth/user/"]')).toBeVisible();
    await expect(page.locator('a.addlink')).toHaveCount(0);
  });
});
