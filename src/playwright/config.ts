import { fileURLToPath } from 'node:url';
import { defineConfig, type PlaywrightTestConfig, type ReporterDescription } from '@playwright/test';
import { chromiumLaunchOptions } from '../platform/browser.ts';
import { ALLURE_CATEGORIES } from './allure.ts';
import { BRIDGE_ENV } from './protocol.ts';
import { readPwTarget } from './target-env.ts';

// The Playwright config pdv runs the user's smoke and UAT specs with. It ships
// compiled in the package (dist/) and runs from the sources in a checkout, so
// the bridge reporter is named beside this very file. Under pdv the target and
// the spec folders come from PDV_PW_TARGET; run alone (`npx playwright test` in
// this repo, through ../../playwright.config.ts) it reads PDV_BASE_URL and
// falls back to the given spec folders.

const here = (name: string): string => fileURLToPath(new URL(`./${name}${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

export function pdvPlaywrightConfig(fallbackDirs: { smoke?: string; uat?: string } = {}): PlaywrightTestConfig {
  const target = readPwTarget();
  const underPdv = !!process.env[BRIDGE_ENV.out];
  const reporter: ReporterDescription[] = underPdv ? [[here('bridge-reporter'), { setupProjects: ['setup'] }]] : [['list']];
  if (target.allure) {
    reporter.push([
      'allure-playwright',
      { resultsDir: target.allure.resultsDir, environmentInfo: target.allure.environmentInfo, categories: ALLURE_CATEGORIES, detail: true, suiteTitle: true },
    ]);
  }
  const smokeDir = target.testDirs.smoke ?? fallbackDirs.smoke;
  const uatDir = target.testDirs.uat ?? fallbackDirs.uat;
  return defineConfig({
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
    projects: [
      ...(smokeDir ? [{ name: 'smoke', testDir: smokeDir, testMatch: /.*\.spec\.[cm]?[jt]s$/ }] : []),
      ...(uatDir
        ? [
            { name: 'setup', testDir: uatDir, testMatch: /.*\.setup\.[cm]?[jt]s$/ },
            { name: 'uat', testDir: uatDir, testMatch: /.*\.spec\.[cm]?[jt]s$/, dependencies: ['setup'] },
          ]
        : []),
    ],
  });
}
