import { errorMessage } from '../../core/errors.ts';
import { createHttpClient, firstHeader, RequestBudget, type ProbeResponse } from '../../http/probe-client.ts';
import { gradeSite } from '../../observatory/index.ts';

// `pdv init --base-url URL`: a few GET requests to that URL's host only, each
// bounded in time and size, to pre-fill the config with what the app shows.
// Nothing is sent but GET, no redirect is followed, no other host is asked.

export const HEALTH_PATHS = ['/healthz', '/health', '/api/health', '/status', '/readyz'];
export const VERSION_PATHS = ['/version', '/api/version', '/version.json'];
const VERSION_FIELDS = ['version', 'release', 'tag', 'build', 'commit'];
/** Hard ceiling on requests for the whole probe (health + version paths, `/`, the https twin). */
export const PROBE_BUDGET = HEALTH_PATHS.length + VERSION_PATHS.length + 2;

export interface ProbeFindings {
  baseUrl: string;
  /** `/` answered (status), or why not. */
  root: { status?: number; error?: string };
  health?: { path: string; status: number; json?: Record<string, string | number | boolean> };
  version?: { path: string; field?: string; header?: string; value: string };
  https: boolean;
  hsts: boolean;
  /** Observatory-style grade of the headers of `/` (no CORS preflight: GET only). */
  grade?: string;
  requests: number;
}

function json(res: ProbeResponse): unknown {
  if (!/json/i.test(firstHeader(res, 'content-type') ?? '') && !/^\s*[{[]/.test(res.body)) return undefined;
  try {
    return JSON.parse(res.body);
  } catch {
    return undefined;
  }
}

/** Scalar fields that say "ready" in a health answer (e.g. `{ status: 'ok' }`), to expect them. */
function readyFields(body: unknown): Record<string, string | number | boolean> | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const key of ['status', 'state', 'healthy', 'ok']) {
    const v = (body as Record<string, unknown>)[key];
    if (typeof v === 'string' || typeof v === 'boolean') out[key] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

export async function probeTarget(baseUrl: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ProbeFindings> {
  const base = new URL(baseUrl);
  const budget = new RequestBudget(PROBE_BUDGET);
  const client = createHttpClient({ timeoutMs: opts.timeoutMs ?? 3_000, signal: opts.signal ?? AbortSignal.timeout(30_000), maxBodyBytes: 64 * 1024, budget });
  const get = async (url: URL): Promise<ProbeResponse | undefined> => {
    try {
      return await client({ method: 'GET', url: url.href });
    } catch {
      return undefined;
    }
  };
  const at = (path: string): URL => new URL(path.replace(/^\//, ''), base.href.endsWith('/') ? base.href : `${base.href}/`);
  const findings: ProbeFindings = { baseUrl: base.href.replace(/\/$/, ''), root: {}, https: base.protocol === 'https:', hsts: false, requests: 0 };

  let root: ProbeResponse | undefined;
  try {
    root = await client({ method: 'GET', url: at('/').href });
    findings.root = { status: root.status };
  } catch (err) {
    findings.root = { error: errorMessage(err) };
  }
  // Without an answer on `/` the host is not there: ask nothing more.
  if (root) {
    for (const path of HEALTH_PATHS) {
      const res = await get(at(path));
      if (res && res.status >= 200 && res.status < 300) {
        const fields = readyFields(json(res));
        findings.health = { path, status: res.status, ...(fields ? { json: fields } : {}) };
        break;
      }
    }
    for (const path of VERSION_PATHS) {
      const res = await get(at(path));
      if (!res || res.status < 200 || res.status >= 300) continue;
      const body = json(res);
      const field = body && typeof body === 'object' ? VERSION_FIELDS.find((f) => typeof (body as Record<string, unknown>)[f] === 'string') : undefined;
      if (field) {
        findings.version = { path, field, value: String((body as Record<string, unknown>)[field]) };
        break;
      }
    }
    let httpsAnswer = findings.https ? root : undefined;
    if (!findings.https) {
      const twin = new URL(at('/').href);
      twin.protocol = 'https:';
      if (twin.port === '80') twin.port = '';
      httpsAnswer = await get(twin);
      findings.https = Boolean(httpsAnswer);
    }
    findings.hsts = Boolean(httpsAnswer && firstHeader(httpsAnswer, 'strict-transport-security'));
    const graded = httpsAnswer ?? root;
    findings.grade = gradeSite({
      auto: graded,
      ...(base.protocol === 'http:' ? { http: root } : {}),
      ...(httpsAnswer ? { https: httpsAnswer } : {}),
      httpRedirects: base.protocol === 'http:' ? [{ url: root.url, status: root.status }] : [],
      corsOrigin: 'https://http-observatory.security.mozilla.org',
      setCookies: graded.headers['set-cookie'] ?? [],
    }).grade;
  }
  findings.requests = budget.used;
  return findings;
}
