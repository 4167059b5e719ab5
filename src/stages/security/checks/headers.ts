import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult, Evidence } from '../../../core/types.ts';
import { gradeAtLeast, gradeSite, type GradeResult, type ObservatoryInput } from '../../../observatory/index.ts';
import { httpEvidence, OffTargetError, type ProbeRequest, type ProbeResponse } from '../../../http/probe-client.ts';
import { makeCheck } from '../result.ts';
import { joinUrl, siteUrl, type SecurityRun, type Site } from '../run-context.ts';
import { siteGate } from './gate.ts';

/** The Origin the Observatory's retriever sends on its CORS preflight. */
export const OBSERVATORY_ORIGIN = 'https://http-observatory.security.mozilla.org';
const MAX_REDIRECTS = 5;

export interface SiteGrade extends GradeResult {
  site: string;
  url: string;
  minimumGrade: string;
}

interface Route {
  first?: ProbeResponse;
  final?: ProbeResponse;
  route: Array<{ url: string; status: number }>;
  setCookies: string[];
  error?: string;
}

/** Follow redirects by hand so every hop is seen (and counted). */
async function follow(run: SecurityRun, url: string): Promise<Route> {
  const out: Route = { route: [], setCookies: [] };
  let current = url;
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await run.client({ url: current, headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
      out.first ??= res;
      out.final = res;
      out.route.push({ url: current, status: res.status });
      out.setCookies.push(...(res.headers['set-cookie'] ?? []));
      const loc = res.headers.location?.[0];
      if (res.status < 300 || res.status >= 400 || !loc) break;
      current = new URL(loc, current).toString();
    }
  } catch (err) {
    // A redirect off the target is its answer: graded as it is, never followed.
    if (!(err instanceof OffTargetError)) out.error = errorMessage(err);
  }
  return out;
}

/** Gather what the Observatory's retriever gathers for one site. */
export async function observe(run: SecurityRun, site: Site): Promise<{ input: ObservatoryInput; errors: string[]; autoReq?: ProbeRequest }> {
  const path = run.config.headers.path;
  const errors: string[] = [];
  const httpRoute = site.httpUrl ? await follow(run, joinUrl(site.httpUrl, path)) : undefined;
  const httpsRoute = site.httpsUrl ? await follow(run, joinUrl(site.httpsUrl, path)) : undefined;
  if (httpRoute?.error) errors.push(`${site.httpUrl}: ${httpRoute.error}`);
  if (httpsRoute?.error) errors.push(`${site.httpsUrl}: ${httpsRoute.error}`);
  const session = httpsRoute?.final ? httpsRoute : httpRoute;
  const auto = session?.final;
  let cors: ProbeResponse | undefined;
  if (auto) {
    try {
      cors = await run.client({ method: 'OPTIONS', url: auto.url, headers: { origin: OBSERVATORY_ORIGIN, 'access-control-request-method': 'GET' } });
    } catch (err) {
      errors.push(`CORS preflight: ${errorMessage(err)}`);
    }
  }
  const input: ObservatoryInput = {
    ...(auto ? { auto } : {}),
    ...(httpRoute?.first ? { http: httpRoute.first } : {}),
    ...(httpsRoute?.first ? { https: httpsRoute.first } : {}),
    httpRedirects: httpRoute?.first ? httpRoute.route : [],
    ...(cors ? { cors } : {}),
    corsOrigin: OBSERVATORY_ORIGIN,
    setCookies: session?.setCookies ?? [],
  };
  return { input, errors, ...(auto ? { autoReq: { url: auto.url } } : {}) };
}

export async function headerChecks(run: SecurityRun, site: Site): Promise<{ checks: CheckResult[]; grade?: SiteGrade }> {
  const startedAt = Date.now();
  const url = siteUrl(site);
  const min = run.config.headers.minimumGrade;
  const { input, errors, autoReq } = await observe(run, site);
  const auto = input.auto;
  // Headers are graded on whatever the page answers (a 401 or 404 carries them too); a server error or no answer is no evidence.
  if (!auto || auto.status >= 500) {
    const why = auto ? `the page answered ${auto.status}` : `no answer (${errors.join('; ') || 'unknown error'})`;
    return {
      checks: [
        makeCheck({
          def: 'headers.grade',
          slug: `headers.${site.name}.grade`,
          status: 'errored',
          message: `cannot grade ${url}: ${why}`,
          url,
          startedAt,
          evidence: auto && autoReq ? [httpEvidence('graded page', autoReq, auto, run.redactor)] : [],
        }),
      ],
    };
  }
  // A site that refuses every anonymous request shows its gate's refusal page, not the application's.
  const gate = auto.status === 401 || auto.status === 403 || auto.status === 407 ? await siteGate(run, url) : undefined;
  if (gate?.refusal) {
    return {
      checks: [
        makeCheck({
          def: 'headers.grade',
          slug: `headers.${site.name}.grade`,
          status: 'skipped',
          message: `not graded: ${url} answered ${auto.status} and ${gate.refusal} — set stages.security.headers.path to a page anonymous visitors get`,
          url,
          startedAt,
          evidence: autoReq ? [httpEvidence('refused page', autoReq, auto, run.redactor)] : [],
        }),
      ],
    };
  }
  const result = gradeSite(input);
  const page: Evidence = httpEvidence('graded page', autoReq ?? { url: auto.url }, auto, run.redactor);
  const failed = result.tests.filter((t) => !t.pass);
  const ok = min === undefined || gradeAtLeast(result.grade, min);
  // Without a minimum grade nothing here can move the verdict: reported as warnings.
  const reportOnly = min === undefined ? { onFail: 'warn' as const, severity: 'minor' as const } : {};
  const checks: CheckResult[] = [
    makeCheck({
      def: 'headers.grade',
      slug: `headers.${site.name}.grade`,
      ...reportOnly,
      status: min === undefined ? (gradeAtLeast(result.grade, 'C') ? 'passed' : 'failed') : ok ? 'passed' : 'failed',
      message:
        `grade ${result.grade} (score ${result.score}) for ${auto.url}${auto.status < 200 || auto.status >= 300 ? ` (HTTP ${auto.status})` : ''}; ${min === undefined ? 'no minimum grade set (stages.security.headers.minimumGrade): reported only' : `minimum ${min}`}` +
        (failed.length ? `; failed: ${failed.map((t) => `${t.name} (${t.modifier})`).join(', ')}` : ''),
      url: auto.url,
      observed: result.grade,
      ...(min !== undefined ? { limit: min } : {}),
      startedAt,
      evidence: [page, { kind: 'json', label: 'observatory tests', data: result.tests }],
    }),
  ];
  for (const t of result.tests) {
    checks.push(
      makeCheck({
        def: `headers.${t.name}`,
        slug: `headers.${site.name}.${t.name}`,
        ...reportOnly,
        status: t.pass ? 'passed' : 'failed',
        message: `${t.result} (${t.modifier >= 0 ? '+' : ''}${t.modifier}) at ${auto.url}; saw: ${t.seen === null ? 'not sent' : run.redactor.text(t.seen)}`,
        url: auto.url,
        observed: t.result,
        startedAt,
        evidence: t.pass ? [] : [page],
      }),
    );
  }
  return { checks, grade: { ...result, site: site.name, url: auto.url, minimumGrade: min ?? 'none' } };
}
