// In your copy: import { expect, test } from 'pdv/playwright';
import { expect, test } from '../../../src/playwright/fixtures.ts';

// Each role opens the editor already signed in: pdv's browser sign-in left the
// role's storage state (localStorage["auth-tokens"] included), and the `role`
// fixture loads it into the browser context. No spec ever sees a password.

test.describe('editor', { tag: ['@uat'] }, () => {
  test.describe('admin', () => {
    test.use({ role: 'admin' });

    test('opens the editor signed in, with the deploy button', { tag: '@critical' }, async ({ page, pageErrors }) => {
      await page.goto('/');
      await expect(page.locator('#red-ui-header-button-deploy')).toBeVisible();
      await expect(page.locator('.red-ui-deploy-button-group')).not.toHaveClass(/readOnly/);
      await expect(page.locator('input[type=password]')).toHaveCount(0);
      await page.locator('#red-ui-header-button-user').click();
      await expect(page.locator('#usermenu-item-username')).toHaveText('admin');
      expect(pageErrors).toEqual([]);
    });
  });

  test.describe('reader', () => {
    test.use({ role: 'reader' });

    test('opens the editor signed in, read-only', { tag: '@major' }, async ({ page }) => {
      await page.goto('/');
      await expect(page.locator('#red-ui-header-button-deploy')).toBeVisible();
      await expect(page.locator('.red-ui-deploy-button-group')).toHaveClass(/readOnly/);
      await expect(page.locator('input[type=password]')).toHaveCount(0);
      await page.locator('#red-ui-header-button-user').click();
      await expect(page.locator('#usermenu-item-username')).toHaveText('reader');
    });
  });
});
