// What the Playwright process needs to know about the target, passed from the
// stage through one env var (PDV_PW_TARGET, JSON). Passwords are not in it:
// each credential names the env var that holds its password, and the stage
// sets those vars on the child only.

export const TARGET_ENV = 'PDV_PW_TARGET';

export interface PwCredential {
  username?: string;
  passwordEnv?: string;
  tokenEnv?: string;
  cookieEnv?: string;
}

export interface PwTarget {
  /** Names things the specs create (projects), so retries and reruns can tell theirs apart. */
  runId: string;
  environment: string;
  baseUrl: string;
  apiUrl: string;
  expectedVersion?: string;
  deployId?: string;
  /** Absolute path of the production flag mirror file. */
  flagsMirror?: string;
  /** Scratch folder for sessions (storageState) — never inside the run folder. */
  stateDir: string;
  /** Playwright's outputDir (scratch; evidence is copied out by the stage). */
  outputDir: string;
  credentials: Record<string, PwCredential>;
  /** The environment's login (src/auth/config.ts), for specs that sign in through the API. */
  auth?: unknown;
  /** Absolute spec folders (from `stages.smoke.testDir` / `stages.uat.testDir`). */
  testDirs: { smoke?: string; uat?: string };
  /** Free-form, non-secret values from the environment config (e.g. renderTimeoutMs). */
  vars: Record<string, string>;
  trace: 'on' | 'off' | 'on-first-retry' | 'retain-on-failure' | 'on-all-retries';
  screenshot: 'on' | 'off' | 'only-on-failure';
  /** allure-playwright raw output (scratch; redacted into `<runDir>/allure-results`). */
  allure?: { resultsDir: string; environmentInfo: Record<string, string> };
  /** Per-test timeout in ms. */
  testTimeout?: number;
}

/**
 * Used when specs run under plain `npx playwright test`, outside pdv: the
 * target comes from the runbook's env vars only — no built-in users, flags
 * or URLs (a spec that needs one throws a PreconditionError).
 */
function fromPlainEnv(env: NodeJS.ProcessEnv): PwTarget {
  const baseUrl = env.PDV_BASE_URL ?? '';
  // Set once in the runner process; workers inherit it, so all agree on the run id.
  env.PDV_RUN_KEY ??= `local-${Date.now()}`;
  let credentials: Record<string, PwCredential> = {};
  if (env.PDV_CREDENTIALS) {
    try {
      credentials = JSON.parse(env.PDV_CREDENTIALS) as Record<string, PwCredential>;
    } catch {
      credentials = {};
    }
  }
  return {
    runId: env.PDV_RUN_KEY,
    environment: env.ENVIRONMENT ?? 'staging',
    baseUrl,
    apiUrl: env.API_BASE_URL ?? baseUrl,
    ...(env.PDV_EXPECT_VERSION ? { expectedVersion: env.PDV_EXPECT_VERSION } : {}),
    ...(env.PDV_FLAGS_MIRROR ? { flagsMirror: env.PDV_FLAGS_MIRROR } : {}),
    stateDir: env.PDV_STATE_DIR ?? 'test-results/.auth',
    outputDir: 'test-results',
    credentials,
    testDirs: {},
    vars: {},
    trace: 'on-first-retry',
    screenshot: 'only-on-failure',
  };
}

export function readPwTarget(env: NodeJS.ProcessEnv = process.env): PwTarget {
  const raw = env[TARGET_ENV];
  return raw ? (JSON.parse(raw) as PwTarget) : fromPlainEnv(env);
}
