import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { skipWithoutChromium } from '../../e2e/helpers/binaries.ts';
import { CHROMIUM_ARGS, findChromium } from '../platform/browser.ts';
import { runPlaywright } from './test-process.ts';

// An aborted browser stage (SIGINT, the deadline) leaves no Chromium profile
// folders behind: Playwright makes them in the runner's temp dir and only its
// own clean exit removes them.

const work = mkdtempSync(join(tmpdir(), 'pdv-pw-runner-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function findProfiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    if (e.name.startsWith('playwright_chromiumdev_profile-')) out.push(join(dir, e.name));
    else out.push(...findProfiles(join(dir, e.name)));
  }
  return out;
}

function processesMentioning(text: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8') + readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (env.includes(text) && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') out.push(pid);
    } catch {
      // gone or not ours
    }
  }
  return out;
}

const chromium = findChromium();

describe.skipIf(skipWithoutChromium(chromium))('runPlaywright aborted while a browser is open', () => {
  it('removes the Chromium profile folders it created', async () => {
    const testTmp = join(work, 'tmp');
    const specs = join(work, 'specs');
    for (const d of [testTmp, specs]) rmSync(d, { recursive: true, force: true });
    for (const d of [testTmp, specs]) mkdirSync(d, { recursive: true });
    const marker = join(work, 'browser-up');
    const pwTest = createRequire(import.meta.url).resolve('@playwright/test');
    writeFileSync(
      join(specs, 'hang.spec.ts'),
      `import { writeFileSync } from 'node:fs';
import { test, chromium } from ${JSON.stringify(pwTest)};
test('opens a browser and waits', async () => {
  await chromium.launch({ executablePath: ${JSON.stringify(chromium)}, args: ${JSON.stringify(CHROMIUM_ARGS)} });
  writeFileSync(${JSON.stringify(marker)}, '');
  await new Promise(() => {});
});
`,
    );
    const configFile = join(specs, 'playwright.config.ts');
    writeFileSync(configFile, `export default { testDir: ${JSON.stringify(specs)}, timeout: 0, workers: 1, reporter: 'null' };\n`);
    const controller = new AbortController();
    const run = runPlaywright({
      configFile,
      projects: [],
      bridgeFile: join(work, 'bridge.jsonl'),
      stage: 'uat',
      baseEnv: process.env,
      env: { TMPDIR: testTmp },
      cwd: specs,
      signal: controller.signal,
      onCheck: () => undefined,
      killGraceMs: 1_000,
    });
    for (let i = 0; i < 1200 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(marker), 'the spec never had its browser up').toBe(true);
    controller.abort();
    const result = await run;
    expect(result.aborted).toBe(true);
    expect(findProfiles(testTmp)).toEqual([]);
    // Nor a browser still running from that temp dir (browsers are detached from the runner's group).
    expect(processesMentioning(testTmp)).toEqual([]);
  });
});
