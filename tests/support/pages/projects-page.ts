import { expect, type Locator, type Page } from '@playwright/test';

export class ProjectsPage {
  readonly list: Locator;
  readonly items: Locator;
  readonly newTitle: Locator;
  readonly newButton: Locator;

  constructor(readonly page: Page) {
    this.list = page.getByTestId('project-list');
    this.items = page.getByTestId('project-item');
    this.newTitle = page.getByTestId('new-project-title');
    this.newButton = page.getByTestId('new-project-button');
  }

  async goto(): Promise<void> {
    await this.page.goto('/projects');
    await expect(this.page.getByTestId('page-projects')).toBeVisible();
  }

  link(title: string): Locator {
    return this.page.getByTestId('project-link').filter({ hasText: title }).first();
  }

  /**
   * Opens the project with this title, creating it first if it does not exist.
   * A retry of a failed attempt reuses the project the attempt created, so
   * retries do not fill the environment with duplicates.
   */
  async openOrCreate(title: string): Promise<void> {
    if ((await this.page.getByTestId('project-link').filter({ hasText: title }).count()) > 0) {
      await this.link(title).click();
    } else {
      await this.newTitle.fill(title);
      await this.newButton.click();
    }
    await expect(this.page.getByTestId('project-title')).toHaveText(title);
  }

  async openFirst(): Promise<string> {
    const link = this.page.getByTestId('project-link').first();
    const title = (await link.textContent())?.trim() ?? '';
    await link.click();
    await expect(this.page.getByTestId('page-project')).toBeVisible();
    return title;
  }
}
