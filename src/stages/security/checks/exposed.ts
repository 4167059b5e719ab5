import { randomBytes } from 'node:crypto';
import { checkDefinitions } from '../../../../security/definitions.ts';
import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult, Evidence, Severity } from '../../../core/types.ts';
import { httpEvidence, type ProbeResponse } from '../http.ts';
import { makeCheck } from '../result.ts';
import { joinUrl, type SecurityRun } from '../run-context.ts';

interface Probe {
  def: string;
  id: string;
  paths: string[];
  pattern: RegExp;
  severity?: Severity;
  title?: string;
}

export function exposedProbes(run: SecurityRun): Probe[] {
  const only = run.config.exposed.only;
  const defined = [...checkDefinitions().values()]
    .filter((d) => d.key.startsWith('exposed.') && d.paths && d.pattern)
    .map((d) => ({ def: d.key, id: d.key.slice('exposed.'.length), paths: d.paths ?? [], pattern: new RegExp(d.pattern ?? '', 'm') }))
    .filter((p) => !only || only.includes(p.id));
  const extra = run.config.exposed.extra.map((e) => ({
    def: 'exposed.backup',
    id: e.id,
    paths: [e.path],
    pattern: new RegExp(e.pattern, 'm'),
    severity: e.severity,
    title: `${e.path} not served`,
  }));
  return [...defined, ...extra];
}

/** An exposed file is full of secrets: keep the names as evidence, never the values. */
export function maskValues(body: string): string {
  return body.replace(/^(\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*[=:]\s*).+$/gm, '$1[REDACTED]');
}

/** Bodies compared without the path itself (catch-all pages often echo it). */
function normalise(body: string, path: string): string {
  return body.split(path).join('<path>').replace(/\s+/g, ' ').trim();
}

/**
 * A path is exposed when it answers 2xx, its body matches the probe's pattern,
 * and the body is not what a random path gets: an app that answers 200 (or its
 * index page) everywhere is no false alarm.
 */
export function judgeExposure(path: string, res: ProbeResponse, baseline: ProbeResponse | undefined, pattern: RegExp): { exposed: boolean; why: string } {
  if (res.status < 200 || res.status >= 300) return { exposed: false, why: `${path} answered ${res.status}` };
  if (!pattern.test(res.body)) return { exposed: false, why: `${path} answered ${res.status} without the tell-tale content` };
  if (baseline && baseline.status >= 200 && baseline.status < 300 && normalise(baseline.body, new URL(baseline.url).pathname) === normalise(res.body, path)) {
    return { exposed: false, why: `${path} answered exactly like a random path (catch-all)` };
  }
  return { exposed: true, why: `${path} answered ${res.status} with matching content (${res.body.length} bytes)` };
}

export async function exposedChecks(run: SecurityRun, siteName: string, baseUrl: string): Promise<CheckResult[]> {
  const startedAt = Date.now();
  const randomPath = `/pdv-probe-${randomBytes(6).toString('hex')}`;
  let baseline: ProbeResponse | undefined;
  let baselineError: string | undefined;
  try {
    baseline = await run.client({ url: joinUrl(baseUrl, randomPath) });
  } catch (err) {
    baselineError = errorMessage(err);
  }
  const checks: CheckResult[] = [];
  for (const probe of exposedProbes(run)) {
    const hits: string[] = [];
    const notes: string[] = [];
    const evidence: Evidence[] = [];
    let errors = 0;
    for (const path of probe.paths) {
      const req = { url: joinUrl(baseUrl, path) };
      try {
        const res = await run.client(req);
        const j = judgeExposure(path, res, baseline, probe.pattern);
        (j.exposed ? hits : notes).push(j.why);
        if (j.exposed) evidence.push(httpEvidence(`GET ${path}`, req, { ...res, body: maskValues(res.body) }, run.redactor, 300));
      } catch (err) {
        errors += 1;
        notes.push(`${path}: ${errorMessage(err)}`);
      }
    }
    if (hits.length && baseline) evidence.push(httpEvidence(`random path ${randomPath} for comparison`, { url: joinUrl(baseUrl, randomPath) }, baseline, run.redactor, 200));
    const status = hits.length ? 'failed' : errors === probe.paths.length || (!baseline && baselineError) ? 'errored' : 'passed';
    checks.push(
      makeCheck({
        def: probe.def,
        slug: `exposed.${siteName}.${probe.id}`,
        ...(probe.title ? { title: probe.title } : {}),
        ...(probe.severity ? { severity: probe.severity } : {}),
        status,
        message: hits.length
          ? `exposed at ${baseUrl}: ${hits.join('; ')}`
          : status === 'errored'
            ? `could not probe ${probe.paths.join(', ')} at ${baseUrl}: ${baselineError ?? notes.join('; ')}`
            : `not exposed at ${baseUrl}: ${notes.join('; ')}`,
        url: joinUrl(baseUrl, probe.paths[0] ?? '/'),
        startedAt,
        evidence,
        attempts: probe.paths.length,
      }),
    );
  }
  return checks;
}
