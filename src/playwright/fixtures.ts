import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { watchPageErrors } from './page-errors.ts';
import { PreconditionError } from './precondition.ts';
import { readPwTarget, type PwTarget } from './target-env.ts';

// `import { test, expect } from 'pdv/playwright'` in a user's specs: Playwright's
// own test, plus the target of this pdv run and a signed-in session per role.
// pdv signs each configured role in before the specs run (the environment's
// `auth`), and stores the session where `role` finds it; a spec never needs a
// password. Outside pdv (`npx playwright test`) the target comes from
// PDV_BASE_URL and a role with no session is a PreconditionError (errored, not failed).

export interface PdvFixtures {
  /** The run's target: baseUrl, apiUrl, expectedVersion, environment, vars … */
  target: PwTarget;
  /** Sign-in role for the test's browser context (undefined: anonymous). `test.use({ role: 'admin' })`. */
  role: string | undefined;
  /** Console errors and uncaught page errors seen while the test ran. */
  pageErrors: string[];
}

/** The stored session (Playwright storageState file) of a role, or undefined when pdv signed nobody in as it. */
export function sessionFile(target: PwTarget, role: string): string | undefined {
  const file = join(target.stateDir, `${role}.json`);
  return existsSync(file) ? file : undefined;
}

function sessionHeaders(target: PwTarget, role: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(join(target.stateDir, `${role}.headers.json`), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

const current = readPwTarget();

export const test = base.extend<PdvFixtures>({
  // Playwright reads a fixture's dependencies from its first parameter's pattern: none here.
  // eslint-disable-next-line no-empty-pattern
  target: async ({}, use) => {
    await use(current);
  },
  role: [undefined, { option: true }],
  storageState: async ({ role, storageState }, use) => {
    if (!role) return use(storageState);
    const file = sessionFile(current, role);
    if (!file) throw new PreconditionError(`no session for role "${role}": configure environments.<env>.credentials.${role} and auth`);
    await use(file);
  },
  extraHTTPHeaders: async ({ role, extraHTTPHeaders }, use) => {
    await use(role ? { ...extraHTTPHeaders, ...sessionHeaders(current, role) } : extraHTTPHeaders);
  },
  pageErrors: async ({ page }, use) => {
    await use(watchPageErrors(page));
  },
});

export { expect, PreconditionError, readPwTarget };
export type { PwTarget };

export { watchPageErrors } from './page-errors.ts';
