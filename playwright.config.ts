import { defineConfig, type ReporterDescription } from '@playwright/test';
import { chromiumLaunchOptions } from './src/core/browser.ts';
import { ALLURE_CATEGORIES } from './src/playwright/allure.ts';
import { BRIDGE_ENV } from './src/playwright/protocol.ts';
import { readPwTarget } from './src/playwright/target-env.ts';

// One config for pdv's smoke and UAT specs. Under pdv the target comes from
// PDV_PW_TARGET and results go through the bridge reporter; run alone
// (`npx playwright test`) it reads PDV_BASE_URL and prints a list.

const target = readPwTarget();
const underPdv = !!process.env[BRIDGE_ENV.out];

const reporter: ReporterDescription[] = underPdv
  ? [['./src/playwright/bridge-reporter.ts', { setupProjects: ['setup'] }]]
  : [['list']];
if (target.allure) {
  reporter.push([
    'allure-playwright',
    { resultsDir: target.allure.resultsDir, environmentInfo: target.allure.environmentInfo, categories: ALLURE_CATEGORIES, detail: true, suiteTitle: true },
  ]);
}

export default defineConfig({
  outputDir: target.outputDir,
  forbidOnly: true,
  retries: 0,
  timeout: target.testTimeout ?? 30_000,
  expect: { timeout: 5_000 },
  reporter,
  use: {
    baseURL: target.baseUrl,
    trace: target.trace,
    screenshot: target.screenshot,
    video: 'off',
    browserName: 'chromium',
    launchOptions: chromiumLaunchOptions(),
    actionTimeout: 5_000,
    navigationTimeout: 10_000,
  },
  // Under pdv the spec folders are the user's (`stages.smoke.testDir`, `stages.uat.testDir`);
  // run alone, this repo's own AI Film Studio specs.
  projects: [
    { name: 'smoke', testDir: target.testDirs.smoke ?? './tests/smoke', testMatch: /.*\.spec\.ts$/ },
    { name: 'setup', testDir: target.testDirs.uat ?? './tests/uat', testMatch: /.*\.setup\.ts$/ },
    { name: 'uat', testDir: target.testDirs.uat ?? './tests/uat', testMatch: /.*\.spec\.ts$/, dependencies: ['setup'] },
  ],
});
