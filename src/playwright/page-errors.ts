import type { Page } from '@playwright/test';

/** Console errors and uncaught exceptions of a page, collected from now on (the `pageErrors` fixture). */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}
