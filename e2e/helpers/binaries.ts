// Suites that need a real server binary (PostgreSQL, Prometheus, Chromium,
// redis-server, nginx). On CI a missing binary is a broken runner, not a
// reason to pass without testing: under CI=true it throws, failing the suite.
// On a workstation the suite may skip, saying why.

export function onCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== 'false' && v !== '0';
}

export class MissingBinaryError extends Error {
  override readonly name = 'MissingBinaryError';
}

/**
 * `describe.skipIf(missingBinary('Prometheus', prometheusAvailable(), 'apt-get install prometheus'))`:
 * false when the binary is there; when it is not, throws on CI, else warns and returns true (skip).
 */
export function missingBinary(what: string, available: boolean, install: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (available) return false;
  const message = `${what} not found (${install})`;
  if (onCI(env)) throw new MissingBinaryError(`${message}: CI=true, so this suite fails instead of skipping`);
  console.warn(`skipping: ${message}`);
  return true;
}

/** Throw the same error from a helper's start function (CI or not: the caller asked for the server). */
export function assertBinary(what: string, available: boolean, install: string): void {
  if (!available) throw new MissingBinaryError(`${what} not found (${install})`);
}

/** For `describe.skipIf(…)`: fails the suite on CI when no Chromium is found (PDV_CHROMIUM or a system one). */
export function skipWithoutChromium(found: string | undefined): boolean {
  return missingBinary('Chromium', found !== undefined, 'apt-get install chromium, or set PDV_CHROMIUM');
}
