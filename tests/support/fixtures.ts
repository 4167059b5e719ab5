import { test as base, expect, type APIRequestContext } from '@playwright/test';
import { apiLogin, sessionValid } from './api.ts';
import { statePath, target, type Role } from './target.ts';
import { existsSync } from 'node:fs';
import { watchPageErrors } from '../../src/playwright/page-errors.ts';

// Fixtures shared by the specs. `role` picks the stored session from the
// setup project; a session that expired since setup is renewed (logged in
// again and stored) instead of failing the flow. `api` is a request context
// on the API URL carrying the same session.

interface Fixtures {
  /** Sign-in role for the test's browser context (undefined: anonymous). */
  role: Role | undefined;
  api: APIRequestContext;
  /** Console errors and uncaught page errors seen while the test ran. */
  pageErrors: string[];
}

export const test = base.extend<Fixtures>({
  role: [undefined, { option: true }],

  storageState: async ({ role, storageState }, use) => {
    await use(role && existsSync(statePath(role)) ? statePath(role) : storageState);
  },

  context: async ({ context, role }, use) => {
    if (role && !(await sessionValid(context.request))) {
      await apiLogin(context.request, role);
      await context.storageState({ path: statePath(role) });
    }
    await use(context);
  },

  api: async ({ context }, use) => {
    // The browser context's request shares its cookies: the API sees the same session.
    await use(context.request);
  },

  pageErrors: async ({ page }, use) => {
    await use(watchPageErrors(page));
  },
});

export { expect, target };
