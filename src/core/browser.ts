import { existsSync } from 'node:fs';

// This machine cannot download Playwright's browsers: use the system
// Chromium when there is one. PDV_CHROMIUM overrides; elsewhere Playwright's
// own browser is used (executablePath undefined).
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env.PDV_CHROMIUM;
  if (override) return override;
  return CANDIDATES.find((p) => existsSync(p));
}

/** Flags that keep Chromium off the network and working as root in CI. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
  '--disable-quic',
];

export function chromiumLaunchOptions(env: NodeJS.ProcessEnv = process.env): { executablePath?: string; args: string[] } {
  const executablePath = findChromium(env);
  return executablePath ? { executablePath, args: CHROMIUM_ARGS } : { args: CHROMIUM_ARGS };
}
