import { existsSync } from 'node:fs';
import { test as setup } from '@playwright/test';
import { apiLogin } from '../support/api.ts';
import { statePath } from '../support/target.ts';

// One stored session per role for the UAT flows. Signing in through the API
// keeps a broken login *form* a failure of the flow that tests it, not of
// every flow. The state files hold session cookies: they live in a scratch
// folder the stage deletes, never in the run folder.

for (const role of ['editor', 'viewer', 'admin']) {
  setup(`session for ${role}`, async ({ playwright }) => {
    // Under pdv the shared login module (environments.<env>.auth) already signed in and stored it.
    if (existsSync(statePath(role))) return;
    const request = await playwright.request.newContext();
    try {
      await apiLogin(request, role);
      await request.storageState({ path: statePath(role) });
    } finally {
      await request.dispose();
    }
  });
}
