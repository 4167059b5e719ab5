import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { caFiles, readCaFiles } from '../http/tls.ts';
import { sharedAuthenticator } from '../auth/index.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunScope } from '../target/scope.ts';
import type { CheckResult, Target } from '../core/types.ts';
import { errorMessage } from '../core/errors.ts';
import { IN_CHECKOUT, PACKAGE_ROOT } from '../platform/package-root.ts';
import { copyEvidence } from './evidence.ts';
import type { BridgeCheckRecord } from './protocol.ts';
import { runPlaywright } from './test-process.ts';
import { TARGET_ENV, type PwTarget } from './target-env.ts';
import { publishAllureResults } from './allure.ts';

// The stage side of the bridge: scratch folders, the child's env, evidence
// copying, live emission and teardown. Smoke, UAT and the DR/rollback
// re-verification all go through here.

export interface PlaywrightChecksOptions {
  stage: string;
  /** Check id prefix (default the stage name), e.g. `dr.smoke`. */
  idPrefix?: string;
  /** Folder under the run folder for evidence (default the stage name). */
  folder?: string;
  projects: string[];
  target: Target;
  grep?: string;
  shard?: { index: number; total: number };
  retries?: number;
  workers?: number;
  trace?: PwTarget['trace'];
  screenshot?: PwTarget['screenshot'];
  testTimeout?: number;
  allure?: boolean;
  /** Spec folders (relative to the config file) of the projects this run may start. */
  testDirs?: { smoke?: string; uat?: string };
  /** The production flag mirror the smoke specs compare with (relative to the config file). */
  flagsMirror?: string;
  /** Emit checks, observations and artifacts through ctx as they arrive. */
  emit: boolean;
  /**
   * Sign in as every role through the shared login module first and store each
   * session as `<stateDir>/<role>.json` (a Playwright storageState) plus
   * `<role>.headers.json` (headers for API calls), in the private scratch folder.
   */
  signIn?: boolean;
}

/** Sessions for the specs: a role that cannot sign in gets none (smoke's login check reports it). */
async function writeSessions(ctx: RunScope, target: Target, stateDir: string): Promise<void> {
  const env = ctx.settings.environment;
  if (!Object.keys(env.credentials).length) return;
  const auth = sharedAuthenticator({ environment: ctx.settings.environment, secrets: ctx.secrets, redactor: ctx.redactor, apiUrl: target.apiUrl ?? target.baseUrl, baseUrl: target.baseUrl, rootDir: ctx.settings.rootDir });
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  for (const role of auth.roles()) {
    const s = await auth.session(role, ctx.signal);
    if (!s.ok) {
      ctx.progress(`no session for ${role}: ${s.message}`);
      continue;
    }
    const storage = s.storageState ?? { cookies: s.cookies, origins: [] };
    await writeFile(join(stateDir, `${role}.json`), JSON.stringify(storage), { mode: 0o600 });
    // Cookies travel in the storage state, by the browser's own Domain/Path/Secure rules; a Cookie
    // header here would go to every host the page talks to.
    const headers = Object.fromEntries(Object.entries(s.headers).filter(([k]) => k !== 'cookie'));
    await writeFile(join(stateDir, `${role}.headers.json`), JSON.stringify(headers), { mode: 0o600 });
  }
}

/** pdv's Playwright config: the checkout's playwright.config.ts (its own specs as fallback), else the packaged one. */
export const PLAYWRIGHT_CONFIG = IN_CHECKOUT ? join(PACKAGE_ROOT, 'playwright.config.ts') : join(import.meta.dirname, 'pw-config.js');
const REPO_ROOT = PACKAGE_ROOT;

export async function runPlaywrightChecks(ctx: RunScope, o: PlaywrightChecksOptions): Promise<CheckResult[]> {
  const idPrefix = o.idPrefix ?? o.stage;
  const folder = o.folder ?? o.stage;
  // Sessions and raw traces hold secrets: a private scratch folder, removed on every path.
  const scratch = await mkdtemp(join(tmpdir(), `pdv-pw-${idPrefix}-`));
  const results: CheckResult[] = [];
  try {
    const env = childEnv(ctx, o, scratch);
    if (o.signIn) await writeSessions(ctx, o.target, join(scratch, 'state'));
    let queue = Promise.resolve();
    const handle = async (rec: BridgeCheckRecord): Promise<void> => {
      const check = rec.check;
      const copied = await copyEvidence({ check, attachments: rec.attachments, runDir: ctx.runDir, folder, redactor: ctx.redactor });
      check.evidence.push(...copied.evidence);
      if (copied.missing.length) check.message = [check.message, `evidence not copied: ${copied.missing.join('; ')}`].filter(Boolean).join('\n');
      const safe = ctx.redactor.deep(check);
      results.push(safe);
      if (!o.emit) return;
      for (const [key, value] of Object.entries(rec.observations)) ctx.emit({ type: 'observation', key, value: ctx.redactor.text(value) });
      for (const artifact of copied.artifacts) ctx.emit({ type: 'artifact', artifact });
      ctx.check(safe);
    };
    const run = await runPlaywright({
      configFile: PLAYWRIGHT_CONFIG,
      cwd: REPO_ROOT,
      projects: o.projects,
      bridgeFile: join(scratch, 'bridge.jsonl'),
      stage: o.stage,
      idPrefix,
      ...(o.grep ? { grep: o.grep } : {}),
      ...(o.shard ? { shard: o.shard } : {}),
      ...(o.retries !== undefined ? { retries: o.retries } : {}),
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      baseEnv: ctx.settings.env,
      env,
      signal: ctx.signal,
      onCheck: (rec) => {
        queue = queue.then(() => handle(rec)).catch((err: unknown) => {
          const check = ctx.redactor.deep({ ...rec.check, status: 'errored' as const, message: `could not record result: ${errorMessage(err)}` });
          results.push(check);
          if (o.emit) ctx.check(check);
        });
      },
    });
    await queue;
    if (run.aborted) return results;
    // The runner failed outside any test (bad config, crash): no evidence → errored, never passed.
    const globalErrors = run.end?.errors ?? [];
    if (!run.end || (run.end.selected > 0 && results.length === 0) || (globalErrors.length && results.length === 0)) {
      const why = run.end ? globalErrors.join('; ') || 'no results' : `Playwright exited (${run.exitCode ?? run.signal}) without results: ${lastLines(run.stderrTail)}`;
      const err = ctx.redactor.deep(harnessError(o.stage, `${idPrefix}.runner`, why));
      results.push(err);
      if (o.emit) ctx.check(err);
    }
    if (o.allure && o.emit) {
      const artifact = await publishAllureResults({ from: join(scratch, 'allure-results'), runDir: ctx.runDir, redactor: ctx.redactor, stage: o.stage });
      if (artifact) ctx.emit({ type: 'artifact', artifact });
    }
    return results;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-5).join('\n');
}

export function harnessError(stage: string, id: string, message: string): CheckResult {
  return { id, stage, title: 'Playwright runner', severity: 'critical', status: 'errored', message, durationMs: 0, attempts: 1, evidence: [] };
}

function childEnv(ctx: RunScope, o: PlaywrightChecksOptions, scratch: string): Record<string, string> {
  const env = ctx.settings.environment;
  const credentials: PwTarget['credentials'] = {};
  const out: Record<string, string> = {};
  for (const [role, c] of Object.entries(env.credentials)) {
    credentials[role] = {
      ...(c.username ? { username: c.username } : {}),
      ...(c.passwordEnv ? { passwordEnv: c.passwordEnv } : {}),
      ...(c.tokenEnv ? { tokenEnv: c.tokenEnv } : {}),
      ...(c.cookieEnv ? { cookieEnv: c.cookieEnv } : {}),
    };
    // Only the secrets the specs need reach the child, and only through its env.
    for (const name of [c.passwordEnv, c.tokenEnv, c.cookieEnv]) {
      const value = name ? ctx.secrets.get(name) : undefined;
      if (name && value !== undefined) out[name] = value;
    }
  }
  const flagsMirror = o.flagsMirror;
  const testDirs = Object.fromEntries(Object.entries(o.testDirs ?? {}).flatMap(([k, d]) => (d ? [[k, resolve(ctx.settings.rootDir, d)]] : [])));
  const target: PwTarget = {
    runId: ctx.runId,
    environment: o.target.environment,
    baseUrl: o.target.baseUrl,
    apiUrl: o.target.apiUrl ?? o.target.baseUrl,
    ...(o.target.expectedVersion ? { expectedVersion: o.target.expectedVersion } : {}),
    ...(o.target.deployId ? { deployId: o.target.deployId } : {}),
    ...(flagsMirror ? { flagsMirror: resolve(ctx.settings.rootDir, flagsMirror) } : {}),
    stateDir: join(scratch, 'state'),
    outputDir: join(scratch, 'output'),
    credentials,
    ...(env.auth ? { auth: env.auth } : {}),
    testDirs,
    vars: env.vars,
    trace: o.trace ?? 'on-first-retry',
    screenshot: o.screenshot ?? 'only-on-failure',
    ...(o.testTimeout ? { testTimeout: o.testTimeout } : {}),
    ...(o.allure
      ? {
          allure: {
            resultsDir: join(scratch, 'allure-results'),
            environmentInfo: {
              environment: o.target.environment,
              baseUrl: o.target.baseUrl,
              ...(o.target.apiUrl ? { apiUrl: o.target.apiUrl } : {}),
              version: o.target.expectedVersion ?? 'unknown',
              deployId: o.target.deployId ?? ctx.settings.deployId ?? 'none',
              runId: ctx.runId,
            },
          },
        }
      : {}),
  };
  // Node-side requests of the specs (APIRequestContext) trust the stand's private CA too.
  if (env.trustedCa !== undefined) {
    const pems = readCaFiles(caFiles(env.trustedCa, ctx.settings.rootDir), 'environments.trustedCa');
    const file = join(scratch, 'trusted-ca.pem');
    writeFileSync(file, pems.join('\n'));
    out.NODE_EXTRA_CA_CERTS = file;
  }
  out[TARGET_ENV] = JSON.stringify(target);
  return out;
}
