import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult, Evidence } from '../../../core/types.ts';
import { httpEvidence, type ProbeResponse } from '../../../http/probe-client.ts';
import { makeCheck } from '../result.ts';
import { joinUrl, type SecurityRun, type SiteGate } from '../run-context.ts';
import type { Matcher } from './exposed-match.ts';
import { copyCandidates, htmlPages, linkedPages, scriptSources, servedByPhp, sourceMapFacts, sourceMapRef } from './own-pages.ts';

// Files derived from the site's own pages rather than from a fixed list: the
// public source maps of its scripts, and the editor/backup copies (`~`, `.swp`,
// `.bak`, `.old`) of its server-side pages. Bounded: the home page and the
// login page, a few scripts, a few linked pages, a few copies each.

/** Scripts whose maps are looked for, per site. */
const MAX_SCRIPTS = 3;
/** Pages linked from the home page whose copies are looked for. */
const MAX_LINKED = 6;
/** Copy probes per site. */
const MAX_COPIES = 12;

/** Judges an answer to a copy probe: exposed (with why) or not (with why). */
export type JudgeCopy = (path: string, res: ProbeResponse, matchers: Matcher[]) => { exposed: boolean; why: string; binary?: boolean };

/** The pages of the site pdv knows: its home page (the gate asked it) and the configured login page. */
export async function knownPages(run: SecurityRun, baseUrl: string, gate: SiteGate): Promise<ProbeResponse[]> {
  const answers: Array<ProbeResponse | undefined> = [gate.answers[0]];
  const login = run.loginPaths.find((p) => p !== '/');
  if (login) {
    try {
      answers.push(await run.client({ url: joinUrl(baseUrl, login) }));
    } catch {
      // no login page to read: the home page alone
    }
  }
  return htmlPages(answers).filter((p) => new URL(p.url).origin === new URL(baseUrl).origin);
}

const rawOf = (r: ProbeResponse): Buffer => r.raw ?? Buffer.from(r.body, 'utf8');

/** The map a script points at (or `<script>.map`), judged by its content. */
async function probeMap(run: SecurityRun, scriptUrl: string, evidence: Evidence[]): Promise<{ hit?: string; note: string; answered: boolean }> {
  const path = new URL(scriptUrl).pathname;
  let mapUrl = `${scriptUrl}.map`;
  let answered = false;
  try {
    const script = await run.client({ url: scriptUrl });
    answered = true;
    const ref = script.status >= 200 && script.status < 300 ? sourceMapRef(script) : undefined;
    if (ref?.startsWith('data:')) {
      const inline = /^data:[^,]*;base64,(.*)$/.exec(ref);
      const facts = sourceMapFacts(inline ? Buffer.from(inline[1] as string, 'base64').toString('utf8') : decodeURIComponent(ref.slice(ref.indexOf(',') + 1)));
      if (facts) return { hit: `${path} embeds its source map (${facts.sources} sources, ${facts.embedded ? `${facts.embedded} with their source text` : 'names only'})`, note: '', answered };
    } else if (ref) {
      const u = new URL(ref, scriptUrl);
      // Same origin only: a map on a CDN is another host's file.
      if (u.origin === new URL(scriptUrl).origin) mapUrl = u.toString();
    }
  } catch (err) {
    return { note: `${path}: ${errorMessage(err)}`, answered };
  }
  try {
    const res = await run.client({ url: mapUrl });
    const facts = res.status >= 200 && res.status < 300 ? sourceMapFacts(res.body) : undefined;
    const mapPath = new URL(mapUrl).pathname;
    if (!facts) return { note: `${mapPath} answered ${res.status}${res.status < 300 ? ' with no source map' : ''}`, answered: true };
    evidence.push(httpEvidence(`GET ${mapPath}`, { url: mapUrl }, { ...res, body: `[source map of ${path}: ${facts.sources} sources, ${facts.embedded} embedded]` }, run.redactor, 200));
    return { hit: `${mapPath} is the source map of ${path} (${facts.sources} sources, ${facts.embedded ? `${facts.embedded} with their source text` : 'names only'})`, note: '', answered: true };
  } catch (err) {
    return { note: `${new URL(mapUrl).pathname}: ${errorMessage(err)}`, answered };
  }
}

/** Public source maps of the site's own scripts (scripts of the home and login pages, same origin). */
export async function sourceMapCheck(run: SecurityRun, siteName: string, baseUrl: string, pages: ProbeResponse[], gate: SiteGate): Promise<CheckResult> {
  const startedAt = Date.now();
  const scripts = [...new Set(pages.flatMap((p) => scriptSources(p.body, p.url, MAX_SCRIPTS)))].slice(0, MAX_SCRIPTS);
  const meta = { def: 'exposed.source-map', slug: `exposed.${siteName}.source-map`, url: baseUrl, startedAt, attempts: scripts.length * 2 };
  if (!gate.answers.length) return makeCheck({ ...meta, status: 'errored', message: `could not read the home page of ${baseUrl} for its scripts` });
  if (!scripts.length) {
    const why = gate.refusal ?? `${pages.length ? 'the home and login pages load' : 'no page of the site answered to read'} no script of the site's own origin`;
    return makeCheck({ ...meta, status: 'skipped', message: `no source map to look for at ${baseUrl}: ${why}` });
  }
  const evidence: Evidence[] = [];
  const hits: string[] = [];
  const notes: string[] = [];
  let answered = 0;
  let embedded = false;
  for (const s of scripts) {
    const r = await probeMap(run, s, evidence);
    if (r.answered) answered += 1;
    if (r.hit) {
      hits.push(r.hit);
      embedded ||= /with their source text/.test(r.hit);
    } else notes.push(r.note);
  }
  if (hits.length) return makeCheck({ ...meta, ...(embedded ? {} : { severity: 'minor' as const }), status: 'failed', message: `source maps served at ${baseUrl}: ${hits.join('; ')}`, evidence });
  if (gate.refusal) return makeCheck({ ...meta, status: 'skipped', message: `no source map found at ${baseUrl}, which says nothing: ${gate.refusal}` });
  if (!answered) return makeCheck({ ...meta, status: 'errored', message: `could not fetch the scripts of ${baseUrl}: ${notes.join('; ')}` });
  return makeCheck({ ...meta, status: 'passed', message: `no source map served for ${scripts.map((s) => new URL(s).pathname).join(', ')} (${notes.join('; ')})` });
}

/** The copy probes of the known pages: the pages they link to, the login page, and index.php on a PHP site. */
function copyProbes(pages: ProbeResponse[]): string[] {
  const paths = new Set<string>();
  for (const p of pages) {
    paths.add(new URL(p.url).pathname);
    for (const l of linkedPages(p.body, p.url, MAX_LINKED)) paths.add(new URL(l).pathname);
    if (new URL(p.url).pathname === '/' && servedByPhp(p)) paths.add('/index.php');
  }
  return [...new Set([...paths].flatMap(copyCandidates))].slice(0, MAX_COPIES);
}

/** Editor and backup copies (`~`, `.swp`, `.bak`, `.old`) of the site's server-side pages, judged by content. */
export async function pageCopyCheck(run: SecurityRun, siteName: string, baseUrl: string, pages: ProbeResponse[], gate: SiteGate, matchers: Matcher[], judge: JudgeCopy): Promise<CheckResult> {
  const startedAt = Date.now();
  const probes = copyProbes(pages);
  const meta = { def: 'exposed.page-copy', slug: `exposed.${siteName}.page-copy`, url: baseUrl, startedAt, attempts: probes.length };
  if (!gate.answers.length) return makeCheck({ ...meta, status: 'errored', message: `could not read the home page of ${baseUrl} for its pages` });
  if (!probes.length) {
    const why = gate.refusal ?? `no server-side page (.php, .asp, .jsp, …) among the home page, the login page and the pages the home page links to`;
    return makeCheck({ ...meta, status: 'skipped', message: `no page copy to look for at ${baseUrl}: ${why}` });
  }
  const hits: string[] = [];
  const notes: string[] = [];
  const evidence: Evidence[] = [];
  let errors = 0;
  for (const path of probes) {
    const req = { url: joinUrl(baseUrl, path) };
    try {
      const res = await run.client(req);
      const j = judge(path, res, matchers);
      (j.exposed ? hits : notes).push(j.why);
      // A copy of source code holds secrets (database passwords): its size and kind are the evidence, never its text.
      if (j.exposed) evidence.push(httpEvidence(`GET ${path}`, req, { ...res, body: `[${rawOf(res).length} bytes, not shown]` }, run.redactor, 100));
    } catch (err) {
      errors += 1;
      notes.push(`${path}: ${errorMessage(err)}`);
    }
  }
  if (hits.length) return makeCheck({ ...meta, status: 'failed', message: `copies of the site's pages served at ${baseUrl}: ${hits.join('; ')}`, evidence });
  if (gate.refusal) return makeCheck({ ...meta, status: 'skipped', message: `no page copy found at ${baseUrl}, which says nothing: ${gate.refusal}` });
  if (errors === probes.length) return makeCheck({ ...meta, status: 'errored', message: `could not probe ${probes.join(', ')} at ${baseUrl}: ${notes.join('; ')}` });
  return makeCheck({ ...meta, status: 'passed', message: `no copy of ${probes.join(', ')} served at ${baseUrl} (${notes.slice(0, 4).join('; ')}${notes.length > 4 ? '; …' : ''})` });
}
