import { errorMessage } from '../../core/errors.ts';
import { onTarget } from '../../http/on-target.ts';
import type { StageContext } from '../stage.ts';
import type { CheckResult } from '../../core/types.ts';
import { SARIF_FILE } from './sarif.ts';
import { accessChecks, sessionCookieCheck } from './checks/access.ts';
import { corsCheck } from './checks/cors.ts';
import { DebugWatch } from './checks/answer-watch.ts';
import { debugPageCheck } from './checks/debug-pages.ts';
import { traceCheck } from './checks/methods.ts';
import { optionsCheck } from './checks/options.ts';
import { disclosureCheck } from './checks/disclosure.ts';
import { exposedChecks } from './checks/exposed.ts';
import { headerChecks, type SiteGrade } from './checks/headers.ts';
import { sharedAuthenticator, type SendRequest } from '../../auth/index.ts';
import { caFiles, readCaFiles } from '../../http/tls.ts';
import { Logins } from './checks/login.ts';
import { openRedirectCheck } from './checks/open-redirect.ts';
import { rateLimitCheck } from './checks/rate-limit.ts';
import { tlsChecks, type TlsSummary } from './checks/tls.ts';
import type { SecurityConfig } from './config.ts';
import { createHttpClient, RequestBudget } from '../../http/probe-client.ts';
import { importChecks } from './importers/checks.ts';
import { loadScannerFiles } from './importers/index.ts';
import { comparePosture, lastPosture, regressionCheck, securityHistoryDir } from './posture.ts';
import { makeCheck } from './result.ts';
import { siteUrl, type SecurityRun, type Site } from './run-context.ts';

export { loadScannerFiles } from './importers/index.ts';
export type { ParsedImport } from './importers/index.ts';

/** The base site (plain + HTTPS twin) and, when it is another origin, the API site. */
export function planSites(baseUrl: string, apiUrl: string | undefined, httpsUrl: string | undefined): Site[] {
  const siteOf = (name: string, url: string, twin?: string): Site => {
    const u = new URL(url);
    if (u.protocol === 'https:') {
      // The Observatory also asks the plain-HTTP port 80 of an HTTPS host whether it redirects.
      const http = !u.port || u.port === '443' ? `http://${u.host}${u.pathname}` : undefined;
      return { name, httpsUrl: url, ...(http ? { httpUrl: http } : {}) };
    }
    return { name, httpUrl: url, ...(twin ? { httpsUrl: twin } : {}) };
  };
  const sites = [siteOf('base', baseUrl, httpsUrl)];
  if (apiUrl) {
    const origins = new Set([sites[0]?.httpUrl, sites[0]?.httpsUrl].filter(Boolean).map((x) => new URL(x as string).origin));
    if (!origins.has(new URL(apiUrl).origin)) sites.push(siteOf('api', apiUrl));
  }
  return sites;
}

function readCa(cfg: SecurityConfig, rootDir: string, envCa?: string | string[]): string[] {
  // The stage's own CA list, else the environment's (environments.<env>.trustedCa).
  const field = cfg.trustedCa !== undefined ? 'stages.security.trustedCa' : 'environments.trustedCa';
  return readCaFiles(caFiles(cfg.trustedCa ?? envCa, rootDir), field);
}

/** The login pages the config names: a redirect there means "not signed in". */
function loginPathsOf(cfg: SecurityConfig, auth: unknown): string[] {
  const url = auth && typeof auth === 'object' && 'url' in auth ? (auth as { url?: unknown }).url : undefined;
  const paths = [cfg.openRedirect.form?.path, cfg.openRedirect.form ? cfg.openRedirect.path : undefined, typeof url === 'string' && url.startsWith('/') ? url.split('?')[0] : undefined];
  return [...new Set(paths.filter((p): p is string => typeof p === 'string'))];
}

/** A probe left off: listed in the report with what would turn it on, never a finding. */
function notRun(def: string, why: string): CheckResult {
  return makeCheck({ def, slug: def, status: 'skipped', message: why, startedAt: Date.now() });
}

/** The stage's probe client (on-target, budgeted, watched for debug pages), its sign-in and what every check shares. */
function openRun(ctx: StageContext<SecurityConfig>): SecurityRun {
  const cfg = ctx.config;
  const ca = readCa(cfg, ctx.settings.rootDir, ctx.settings.environment.trustedCa);
  const budget = new RequestBudget(cfg.maxRequests);
  const credentials = new Map<string, { username: string; password: string }>();
  for (const [role, c] of Object.entries(ctx.settings.environment.credentials)) {
    const password = c.passwordEnv ? ctx.secrets.get(c.passwordEnv) : undefined;
    if (c.username && password) credentials.set(role, { username: c.username, password });
  }
  const sites = planSites(ctx.target.baseUrl, ctx.target.apiUrl, cfg.httpsUrl);
  const webUrl = siteUrl(sites[0] as Site);
  // Requests stay on the target: its sites and the environment's allowedHosts.
  const allowedUrl = onTarget([ctx.target.baseUrl, ...(ctx.target.apiUrl ? [ctx.target.apiUrl] : []), ...sites.flatMap((x) => [x.httpUrl, x.httpsUrl].filter((u): u is string => !!u))], ctx.settings.environment.allowedHosts);
  // Every answer of the stage is watched for debug pages and stack traces.
  const debug = new DebugWatch();
  const client = debug.wrap(createHttpClient({ ca, timeoutMs: cfg.requestTimeout, signal: ctx.signal, budget, allowedUrl }));
  // The run's shared sign-in (one login per role per run); with a trusted CA of its own the
  // stage signs in through its own client instead.
  const auth = sharedAuthenticator({
    environment: ctx.settings.environment,
    secrets: ctx.secrets,
    redactor: ctx.redactor,
    apiUrl: ctx.target.apiUrl ?? webUrl,
    baseUrl: ctx.target.baseUrl,
    rootDir: ctx.settings.rootDir,
    signal: ctx.signal,
    ...(ca.length ? { send: (req: SendRequest) => client(req) } : {}),
  });
  return {
    config: cfg,
    client,
    auth,
    budget,
    redactor: ctx.redactor,
    signal: ctx.signal,
    sites,
    apiUrl: ctx.target.apiUrl ?? webUrl,
    webUrl,
    ca,
    credentials,
    loginPaths: loginPathsOf(cfg, ctx.settings.environment.auth),
    gates: new Map(),
    debug,
    progress: (m) => ctx.progress(m),
  };
}

export async function runSecurity(ctx: StageContext<SecurityConfig>): Promise<void> {
  const cfg = ctx.config;
  // Bad scanner files stop the run before anything is checked (the CLI validates them up front too).
  const imports = await loadScannerFiles(ctx.imports, ctx.config, ctx.settings.rootDir);
  const r = openRun(ctx);
  const { sites, budget } = r;
  const base = sites[0] as Site;

  const emitted: CheckResult[] = [];
  const emit = (checks: CheckResult[]): void => {
    for (const c of checks) {
      ctx.check(c);
      emitted.push(ctx.redactor.deep(c));
    }
  };
  /** A module that throws leaves an errored check behind, never silence. */
  const guard = async (def: string, slug: string, fn: () => Promise<CheckResult[]>): Promise<void> => {
    if (ctx.signal.aborted) return;
    const startedAt = Date.now();
    try {
      emit(await fn());
    } catch (err) {
      emit([makeCheck({ def, slug, status: 'errored', message: `${slug}: ${errorMessage(err)}`, startedAt })]);
    }
  };

  const grades: SiteGrade[] = [];
  const tls: TlsSummary[] = [];
  for (const site of sites) {
    const url = siteUrl(site);
    if (cfg.headers.enabled) {
      ctx.progress(`grading headers of ${url}`);
      await guard('headers.grade', `headers.${site.name}.grade`, async () => {
        const h = await headerChecks(r, site);
        if (h.grade) grades.push(h.grade);
        return h.checks;
      });
    }
    if (cfg.tls.enabled && site.httpsUrl) {
      ctx.progress(`probing TLS of ${site.httpsUrl}`);
      await guard('tls.chain', `tls.${site.name}.chain`, async () => {
        const t = await tlsChecks(r, site);
        if (t.summary) tls.push(t.summary);
        return t.checks;
      });
    }
    if (cfg.exposed.enabled) {
      ctx.progress(`probing exposed files on ${url}`);
      await guard('exposed.env', `exposed.${site.name}.env`, () => exposedChecks(r, site.name, url));
    }
  }
  if (cfg.cors.enabled) {
    const apiSite = sites.find((s) => s.name === 'api') ?? base;
    await guard('cors.credentials', `cors.${apiSite.name}`, async () => [await corsCheck(r, apiSite.name, r.apiUrl)]);
  }
  const logins = new Logins(r);
  if (cfg.sessionCookie.enabled) await guard('cookies.session', 'cookies.session', async () => [await sessionCookieCheck(r, logins)]);
  if (cfg.access.rules.length) {
    ctx.progress(`access control: ${cfg.access.rules.length} rules`);
    await guard('access.rule', 'access.table', () => accessChecks(r, logins));
    if (cfg.methods.enabled) await guard('methods.options', 'methods.options', async () => [await optionsCheck(r, logins)]);
  }
  // The app-specific probes run only against endpoints the config names.
  if (cfg.openRedirect.enabled) await guard('redirect.login-return-to', 'redirect.login-return-to', async () => [await openRedirectCheck(r)]);
  else emit([notRun('redirect.login-return-to', cfg.openRedirect.path ? 'stages.security.openRedirect.enabled is false' : 'not configured: set stages.security.openRedirect.path and .param (the page that takes a return URL) to probe it')]);
  for (const site of sites) {
    const url = siteUrl(site);
    if (cfg.methods.enabled) await guard('methods.trace', `methods.${site.name}.trace`, async () => [await traceCheck(r, site.name, url)]);
    // After the other probes: their answers are watched too.
    if (cfg.debugPages.enabled) await guard('debug.error-page', `debug.${site.name}.error-page`, async () => [await debugPageCheck(r, site.name, url)]);
    if (cfg.debugPages.enabled) await guard('disclosure.headers', `disclosure.${site.name}.headers`, async () => [await disclosureCheck(r, site.name, url)]);
  }
  // Last: the failed logins may lock the probe account for a while.
  if (cfg.rateLimit.enabled) await guard('rate-limit.login', 'rate-limit.login', async () => [await rateLimitCheck(r)]);
  else emit([notRun('rate-limit.login', cfg.rateLimit.path ? 'stages.security.rateLimit.enabled is false' : 'not configured: set stages.security.rateLimit.path (the login endpoint) to probe it')]);
  // Against the last stood run's posture (the history folder load baselines use).
  const gradeBySite = Object.fromEntries(grades.map((g) => [g.site, g.grade]));
  const target = sites.map((s) => [s.httpUrl, s.httpsUrl].filter(Boolean).join(' ')).join(' ');
  const comparison = comparePosture(await lastPosture(securityHistoryDir(ctx.settings), target), emitted, gradeBySite);
  emit([regressionCheck(comparison, Date.now())]);
  const importIds = new Set<string>();
  for (const imp of imports) emit(importChecks(imp, importIds));

  // The reporters render the file from the redacted checks (StageDefinition.report); the stage only lists it.
  ctx.emit({ type: 'artifact', artifact: { stage: 'security', name: 'security.sarif', path: SARIF_FILE, kind: 'sarif', description: 'SARIF 2.1.0 for GitHub code scanning' } });
  ctx.emit({
    type: 'extra',
    key: 'security',
    value: {
      grades: grades.map((g) => ({ site: g.site, url: ctx.redactor.url(g.url), score: g.score, grade: g.grade, minimumGrade: g.minimumGrade, testsPassed: g.testsPassed, testsFailed: g.testsFailed, tests: g.tests })),
      tls,
      imports: imports.map((i) => ({ file: i.file, format: i.format, tool: i.tool, findings: i.findings.length, ignored: i.ignored })),
      target,
      // Always there: the report says what this run was compared with, or that it had nothing to compare with.
      regression: comparison,
      requests: budget.used,
      maxRequests: budget.limit,
    },
  });
}

