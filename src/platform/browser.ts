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

/** Flags that keep Chromium off the network (a closed CI network refuses its background calls). */
const OFFLINE_ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', '--disable-quic'];

/**
 * Chromium's sandbox cannot start as root: only then (or when PDV_CHROMIUM_NO_SANDBOX=1 asks,
 * for containers without user namespaces) is it switched off. Everyone else keeps it.
 */
export function chromiumArgs(env: NodeJS.ProcessEnv = process.env, uid: number | null = process.getuid?.() ?? null): string[] {
  const noSandbox = uid === 0 || env.PDV_CHROMIUM_NO_SANDBOX === '1';
  return noSandbox ? ['--no-sandbox', ...OFFLINE_ARGS] : [...OFFLINE_ARGS];
}

/** The arguments for this process (chromiumArgs()), for a launch written into a child script. */
export const CHROMIUM_ARGS = chromiumArgs();

export function chromiumLaunchOptions(env: NodeJS.ProcessEnv = process.env): { executablePath?: string; args: string[] } {
  const executablePath = findChromium(env);
  const args = chromiumArgs(env);
  return executablePath ? { executablePath, args } : { args };
}
