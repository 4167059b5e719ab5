import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions } from '../src/platform/browser.ts';
import type { DemoHandle } from './launch.ts';
import { USERS } from './test-helpers.ts';
import { startTestDemo } from './test-helpers.ts';

// One demo with flaky-ui: its first project-page load is broken, every other flow is healthy.
let demo: DemoHandle;
let base: string;
let browser: Browser;

beforeAll(async () => {
  [demo, browser] = await Promise.all([startTestDemo({ faults: ['flaky-ui'] }), chromium.launch(chromiumLaunchOptions())]);
  base = demo.baseUrl;
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

async function signIn(page: Page, who: keyof typeof USERS, path = '/projects'): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.getByTestId('login-email').fill(USERS[who].email);
  await page.getByTestId('login-password').fill(USERS[who].password);
  await page.getByTestId('login-submit').click();
}

describe('demo UI', () => {
  it('renders the home page without console errors', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(`${base}/`);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.getByTestId('home-title').textContent()).toBe('AI Film Studio');
    await page.waitForLoadState('networkidle');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('redirects protected pages to login and returns there; the Secure sid cookie works on http://127.0.0.1', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'admin', '/admin/flags');
    expect(new URL(page.url()).pathname).toBe('/admin/flags');
    const cookie = (await context.cookies()).find((c) => c.name === 'sid');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
    await expect.poll(() => page.getByTestId('flag-row').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('[data-testid="flag-row"][data-flag="ai-voiceover-beta"] [data-testid="flag-enabled"]').textContent()).toBe('off');
    await page.getByTestId('logout-link').click();
    await page.getByTestId('logged-out-notice').waitFor();
    await page.goto(`${base}/projects`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('returnTo')).toBe('/projects');
    await context.close();
  });

  it('ignores a foreign returnTo', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/login?returnTo=${encodeURIComponent('//evil.example/x')}`);
    await page.getByTestId('login-email').fill(USERS.viewer.email);
    await page.getByTestId('login-password').fill(USERS.viewer.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${base}/projects`);
    await context.close();
  });

  it('shows a viewer no edit controls and an editor the New project button', async () => {
    const viewerCtx = await browser.newContext();
    const viewer = await viewerCtx.newPage();
    await signIn(viewer, 'viewer');
    await viewer.getByTestId('project-list').waitFor();
    expect(await viewer.getByTestId('new-project-button').count()).toBe(0);
    await viewer.getByTestId('project-link').first().click();
    await viewer.getByTestId('read-only-notice').waitFor();
    expect(await viewer.getByTestId('render-button').count()).toBe(0);
    expect(await viewer.getByTestId('script-upload').count()).toBe(0);
    await viewer.goto(`${base}/admin/flags`);
    await viewer.getByTestId('forbidden').waitFor();
    await viewerCtx.close();
  });

  it('flaky-ui: first project-page load has no render button; after a reload the editor uploads and renders to done', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'editor');
    await page.getByTestId('new-project-title').fill('UI render');
    await page.getByTestId('new-project-button').click();
    await page.getByTestId('project-title').waitFor();
    expect(await page.getByTestId('project-title').textContent()).toBe('UI render');
    // flaky-ui: the first load of this project page is broken…
    await page.getByTestId('page-error').waitFor();
    expect(await page.getByTestId('render-button').count()).toBe(0);
    // …the next one works.
    await page.reload();
    await page.getByTestId('render-button').waitFor();
    await page.getByTestId('script-upload').setInputFiles({ name: 'pilot.txt', mimeType: 'text/plain', buffer: Buffer.from('INT. STUDIO\nLights.\n') });
    await page.getByTestId('script-upload-button').click();
    await expect.poll(() => page.getByTestId('script-status').textContent()).toContain('Uploaded pilot.txt (20 bytes)');
    await page.getByTestId('render-button').click();
    await page.getByTestId('render-result-link').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.getByTestId('render-percent').textContent()).toBe('100%');
    expect(await page.getByTestId('render-status').textContent()).toBe('done');
    const href = await page.getByTestId('render-result-link').getAttribute('href');
    const res = await page.request.get(`${base}${href}`);
    expect(res.status()).toBe(200);
    expect(await res.json()).toMatchObject({ storyboard: { panels: [{ caption: 'INT. STUDIO' }, { caption: 'Lights.' }] } });
    await context.close();
  });
});
