import { test, expect } from '../support/fixtures.ts';

// The front door renders, and the browser console stays clean.

test('home page', { tag: ['@smoke', '@major'] }, async ({ page, pageErrors }) => {
  const res = await page.goto('/');
  expect(res?.status(), 'GET /').toBe(200);
  await expect(page.locator('body')).not.toBeEmpty();
  await expect(page.getByTestId('app-title').or(page.locator('h1')).first()).toBeVisible();
  await page.waitForLoadState('load');
  expect(pageErrors, 'console errors on the home page').toEqual([]);
});
