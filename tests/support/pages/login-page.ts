import { expect, type Locator, type Page } from '@playwright/test';
import type { Login } from '../target.ts';

export class LoginPage {
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.email = page.getByTestId('login-email');
    this.password = page.getByTestId('login-password');
    this.submit = page.getByTestId('login-submit');
    this.error = page.getByTestId('login-error');
  }

  async goto(returnTo?: string): Promise<void> {
    await this.page.goto(returnTo ? `/login?returnTo=${encodeURIComponent(returnTo)}` : '/login');
    await expect(this.page.getByTestId('page-login')).toBeVisible();
  }

  /** Signs in through the form and waits until the app has let us in. */
  async login(who: Login): Promise<void> {
    await this.email.fill(who.username);
    await this.password.fill(who.password);
    await this.submit.click();
    await expect(this.page, 'the login form should take us into the app').not.toHaveURL(/\/login(?:\?|$)/);
    await expect(this.page.getByTestId('nav-user')).toHaveText(who.username);
  }
}
