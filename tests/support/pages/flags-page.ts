import { expect, type Locator, type Page } from '@playwright/test';

export class FlagsPage {
  readonly environment: Locator;
  readonly rows: Locator;

  constructor(readonly page: Page) {
    this.environment = page.getByTestId('flags-environment');
    this.rows = page.getByTestId('flag-row');
  }

  async goto(): Promise<void> {
    await this.page.goto('/projects');
    await this.page.getByTestId('nav-admin-flags').click();
    await expect(this.page.getByTestId('page-admin-flags')).toBeVisible();
  }

  /** Flag name → "on"/"off" as the page shows it. */
  async shown(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const row of await this.rows.all()) {
      out[(await row.getByTestId('flag-name').innerText()).trim()] = (await row.getByTestId('flag-enabled').innerText()).trim();
    }
    return out;
  }
}
