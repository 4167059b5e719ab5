import { expect, type Locator, type Page } from '@playwright/test';

export interface ScriptFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

export class ProjectPage {
  readonly pageError: Locator;
  readonly upload: Locator;
  readonly uploadButton: Locator;
  readonly scriptStatus: Locator;
  readonly renderButton: Locator;
  readonly renderStatus: Locator;
  readonly renderPercent: Locator;
  readonly resultLink: Locator;
  readonly readOnlyNotice: Locator;

  constructor(readonly page: Page) {
    this.pageError = page.getByTestId('page-error');
    this.upload = page.getByTestId('script-upload');
    this.uploadButton = page.getByTestId('script-upload-button');
    this.scriptStatus = page.getByTestId('script-status');
    this.renderButton = page.getByTestId('render-button');
    this.renderStatus = page.getByTestId('render-status');
    this.renderPercent = page.getByTestId('render-percent');
    this.resultLink = page.getByTestId('render-result-link');
    this.readOnlyNotice = page.getByTestId('read-only-notice');
  }

  /** The page loaded whole: no error banner, the editing controls present. */
  async expectEditable(): Promise<void> {
    await expect(this.pageError, 'the project page shows an error banner').toHaveCount(0);
    await expect(this.uploadButton).toBeVisible();
    await expect(this.renderButton).toBeVisible();
  }

  async expectReadOnly(): Promise<void> {
    await expect(this.readOnlyNotice).toBeVisible();
    await expect(this.uploadButton).toHaveCount(0);
    await expect(this.renderButton).toHaveCount(0);
    await expect(this.page.getByTestId('upload-section')).toHaveCount(0);
  }

  async uploadScript(file: ScriptFile): Promise<void> {
    await this.upload.setInputFiles(file);
    await this.uploadButton.click();
    await expect(this.scriptStatus).toHaveAttribute('data-state', 'uploaded');
    await expect(this.scriptStatus).toContainText(file.name);
  }

  /** Requests a render and follows its progress in the UI until it is done. */
  async renderStoryboard(timeoutMs: number): Promise<void> {
    await this.renderButton.click();
    await expect(this.page.getByTestId('render-panel')).toBeVisible();
    await expect(this.renderStatus, `the render should finish within ${timeoutMs} ms`).toHaveText('done', { timeout: timeoutMs });
    await expect(this.renderPercent).toHaveText('100%');
  }

  /** Opens the result link; returns the storyboard the app served. */
  async openResult(): Promise<unknown> {
    await expect(this.resultLink).toBeVisible();
    const [res] = await Promise.all([this.page.waitForResponse((r) => /\/api\/renders\/\d+\/result$/.test(r.url())), this.resultLink.click()]);
    expect(res.status(), 'GET the storyboard result').toBe(200);
    return res.json();
  }
}
