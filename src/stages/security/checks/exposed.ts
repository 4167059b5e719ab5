import { randomBytes } from 'node:crypto';
import { checkDefinitions } from '../definitions.ts';
import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult, Evidence, Severity } from '../../../core/types.ts';
import { httpEvidence, type ProbeResponse } from '../../../http/probe-client.ts';
import { makeCheck } from '../result.ts';
import { joinUrl, type SecurityRun } from '../run-context.ts';
import { siteGate } from './gate.ts';
import { listingCheck } from './listing.ts';
import { knownPages, pageCopyCheck, sourceMapCheck } from './own-files.ts';
import { bodySimilarity, catchAllThreshold, compileSignature, firstMatch, type Matcher } from './exposed-match.ts';

export { bodySimilarity } from './exposed-match.ts';

interface Probe {
  def: string;
  id: string;
  paths: string[];
  matchers: Matcher[];
  severity?: Severity;
  title?: string;
}

function definedProbes(): Probe[] {
  return [...checkDefinitions().values()]
    .filter((d) => d.key.startsWith('exposed.') && d.paths && d.signatures)
    .map((d) => ({
      def: d.key,
      id: d.key.slice('exposed.'.length),
      paths: d.paths ?? [],
      matchers: (d.signatures ?? []).map(compileSignature),
    }));
}

/** The compiled signatures of a definition that has no fixed paths (`page-copy`). */
function definedSignatures(id: string): Matcher[] {
  return (checkDefinitions().get(`exposed.${id}`)?.signatures ?? []).map(compileSignature);
}

export function exposedProbes(run: SecurityRun): Probe[] {
  const only = run.config.exposed.only;
  const defined = definedProbes().filter((p) => !only || only.includes(p.id));
  const extra = run.config.exposed.extra.map((e) => ({
    def: 'exposed.backup',
    id: e.id,
    paths: [e.path],
    matchers: [compileSignature({ what: `content matching /${e.pattern}/m`, line: e.pattern })],
    severity: e.severity,
    title: `${e.path} not served`,
  }));
  return [...defined, ...extra];
}

/** What of probe `id`'s signatures the body carries (`backup`, `env`, …), or undefined. */
export function matchSignature(id: string, raw: Buffer): string | undefined {
  const probe = definedProbes().find((p) => p.id === id);
  if (!probe) throw new Error(`no exposed-file probe "${id}"`);
  return firstMatch(probe.matchers, raw)?.what;
}

/** An exposed file is full of secrets: keep the names as evidence, never the values. */
export function maskValues(body: string): string {
  return body.replace(/^(\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*[=:]\s*).+$/gm, '$1[REDACTED]');
}

const is2xx = (r: ProbeResponse): boolean => r.status >= 200 && r.status < 300;
const rawOf = (r: ProbeResponse): Buffer => r.raw ?? Buffer.from(r.body, 'utf8');

/** What random paths get on a site: the catch-all page(s), if the site has one. */
export interface CatchAll {
  /** 2xx answers to random paths. */
  pages: ProbeResponse[];
  /** Similarity above which an answer is the catch-all's. */
  threshold: number;
}

export function catchAllOf(baselines: ProbeResponse[]): CatchAll {
  const pages = baselines.filter(is2xx);
  const [a, b] = pages;
  const mutual = a && b ? bodySimilarity(a.body, b.body, new URL(a.url).pathname, new URL(b.url).pathname) : undefined;
  return { pages, threshold: catchAllThreshold(mutual) };
}

/**
 * A path is exposed when it answers 2xx, its body carries one of the probe's
 * signatures, and it is unlike what random paths get: an app that answers 200
 * (its index page, an SPA shell with per-request nonces, a page echoing the
 * path) everywhere is no false alarm.
 */
export function judgeExposure(path: string, res: ProbeResponse, catchAll: CatchAll, matchers: Matcher[]): { exposed: boolean; why: string; binary?: boolean } {
  if (!is2xx(res)) return { exposed: false, why: `${path} answered ${res.status}` };
  const found = firstMatch(matchers, rawOf(res));
  if (!found) return { exposed: false, why: `${path} answered ${res.status} without the tell-tale content` };
  for (const page of catchAll.pages) {
    const sim = bodySimilarity(page.body, res.body, new URL(page.url).pathname, path);
    if (sim >= catchAll.threshold) return { exposed: false, why: `${path} answered like a random path (catch-all, similarity ${sim.toFixed(2)})` };
  }
  return { exposed: true, why: `${path} answered ${res.status} with ${found.what} (${rawOf(res).length} bytes)`, binary: found.binary };
}

/** Two random paths of the shapes probed (plain, and a dot-file with an extension): a catch-all shows in both. */
function randomPaths(): string[] {
  return [`/pdv-probe-${randomBytes(6).toString('hex')}`, `/.pdv-probe-${randomBytes(6).toString('hex')}.bak`];
}

export async function exposedChecks(run: SecurityRun, siteName: string, baseUrl: string): Promise<CheckResult[]> {
  const startedAt = Date.now();
  const gate = await siteGate(run, baseUrl);
  const baselines: ProbeResponse[] = [];
  const baselineErrors: string[] = [];
  for (const p of randomPaths()) {
    try {
      baselines.push(await run.client({ url: joinUrl(baseUrl, p) }));
    } catch (err) {
      baselineErrors.push(`${p}: ${errorMessage(err)}`);
    }
  }
  const catchAll = catchAllOf(baselines);
  const noBaseline = baselines.length === 0;
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
        const j = judgeExposure(path, res, catchAll, probe.matchers);
        (j.exposed ? hits : notes).push(j.why);
        if (j.exposed) {
          const shown = j.binary ? `[binary, ${rawOf(res).length} bytes]` : maskValues(res.body);
          evidence.push(httpEvidence(`GET ${path}`, req, { ...res, body: shown }, run.redactor, 300));
        }
      } catch (err) {
        errors += 1;
        notes.push(`${path}: ${errorMessage(err)}`);
      }
    }
    const page = catchAll.pages[0];
    if (hits.length && page) evidence.push(httpEvidence(`random path ${new URL(page.url).pathname} for comparison`, { url: page.url }, page, run.redactor, 200));
    // Behind a gate that refuses every path alike, "not served" is the gate's answer: only a file served is evidence.
    const status = hits.length ? 'failed' : gate.refusal ? 'skipped' : errors === probe.paths.length || noBaseline ? 'errored' : 'passed';
    checks.push(
      makeCheck({
        def: probe.def,
        slug: `exposed.${siteName}.${probe.id}`,
        ...(probe.title ? { title: probe.title } : {}),
        ...(probe.severity ? { severity: probe.severity } : {}),
        status,
        message: hits.length
          ? `exposed at ${baseUrl}: ${hits.join('; ')}`
          : status === 'skipped'
            ? `not found at ${baseUrl}, which says nothing: ${gate.refusal ?? ''}`
          : status === 'errored'
            ? `could not probe ${probe.paths.join(', ')} at ${baseUrl}: ${noBaseline ? `random paths for comparison: ${baselineErrors.join('; ')}` : notes.join('; ')}`
            : `not exposed at ${baseUrl}: ${notes.join('; ')}`,
        url: joinUrl(baseUrl, probe.paths[0] ?? '/'),
        startedAt,
        evidence,
        attempts: probe.paths.length,
      }),
    );
  }
  const only = run.config.exposed.only;
  const wanted = (id: string): boolean => !only || only.includes(id);
  if (wanted('source-map') || wanted('page-copy')) {
    const pages = await knownPages(run, baseUrl, gate);
    if (wanted('source-map')) checks.push(await sourceMapCheck(run, siteName, baseUrl, pages, gate));
    const copy = definedSignatures('page-copy');
    if (wanted('page-copy')) checks.push(await pageCopyCheck(run, siteName, baseUrl, pages, gate, copy, (path, res, m) => judgeExposure(path, res, catchAll, m)));
  }
  if (wanted('listing')) {
    const backup = definedProbes().find((p) => p.id === 'backup')?.matchers ?? [];
    const listing = await listingCheck(run, siteName, baseUrl, backup, gate.answers[0]);
    checks.push(gate.refusal && listing.status !== 'failed' ? { ...listing, status: 'skipped', message: `no listing found at ${baseUrl}, which says nothing: ${gate.refusal}` } : listing);
  }
  return checks;
}
