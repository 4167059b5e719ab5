import { pdvPlaywrightConfig } from './src/playwright/config.ts';

// pdv's Playwright config (src/playwright/config.ts). Under pdv the spec folders are the
// user's (`stages.smoke.testDir`, `stages.uat.testDir`); run alone (`npx playwright test`),
// this repo's own AI Film Studio specs.
export default pdvPlaywrightConfig({ smoke: './tests/smoke', uat: './tests/uat' });
