import { expect, type Page } from '@playwright/test';

export class Nav {
  constructor(readonly page: Page) {}

  async logout(): Promise<void> {
    await this.page.getByTestId('logout-link').click();
    await expect(this.page.getByTestId('page-login')).toBeVisible();
    await expect(this.page.getByTestId('logged-out-notice')).toBeVisible();
  }
}
