import { errorMessage } from '../../../core/errors.ts';
import type { CheckResult, Evidence } from '../../../core/types.ts';
import { httpEvidence, type ProbeResponse } from '../../../http/probe-client.ts';
import { makeCheck } from '../result.ts';
import { joinUrl, type SecurityRun } from '../run-context.ts';
import { firstMatch, type Matcher } from './exposed-match.ts';

// Directory listings, recognised by the markup of the servers that make them,
// and what they list: a listing is followed one level, and the dumps and
// archives it names are fetched (bounded) and classified by their bytes.

/** Folders where dumps and archives are left. */
export const LISTING_FOLDERS = ['/', '/backup/', '/backups/', '/dump/', '/db/', '/old/'];
/** Names worth fetching from a listing: dumps, archives, backup copies. */
const DUMP_NAME = /\.(?:sql|sql\.gz|sql\.bz2|sql\.xz|dump|gz|tgz|tar|zip|bz2|xz|7z|bak|old|backup)$/i;
/** Entries fetched per listing at most. */
const FOLLOW = 4;

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Which server's listing this is, when the page's title (and heading) name the
 * folder asked for in a listing's own words. A page that merely mentions
 * "Index of" or "backup" is no listing: the title must name this very folder.
 */
export function listingKind(body: string, folder: string): string | undefined {
  const head = body.slice(0, 16_384);
  const f = `${esc(folder.replace(/\/$/, ''))}/?`;
  // serve (serve-handler) titles the folder relative to the folder it serves, e.g. "Files within public/backup/".
  const rel = esc(folder.replace(/^\/|\/$/g, ''));
  const kinds: Array<[string, RegExp]> = [
    ['Python http.server', new RegExp(`<title>Directory listing for ${f}</title>`)],
    ['Node serve-index', new RegExp(`<title>listing directory ${f}</title>`)],
    ['Node serve', new RegExp(`<title>Files within [^<]{0,200}${rel ? `${rel}/` : '/?'}</title>[\\s\\S]{0,12000}<ul id="files">`)],
    // http-server's style sheet (icons inlined) comes right after the title; its heading may be 50 kB further.
    ['Node http-server', new RegExp(`<title>Index of ${f}</title>\\s{0,20}<style type="text/css">i\\.icon \\{`)],
    // IIS directory browsing: "<host> - /folder/" as title and heading, a <pre> of entries (a parent link below the root).
    ['IIS', new RegExp(`<title>[^<]{1,200} - ${f}</title></head><body><H1>[^<]{1,200} - ${f}</H1><hr>\\s{0,10}<pre>|<pre><A HREF="[^"]*">\\[To Parent Directory\\]</A>`, 'i')],
    ['lighttpd', new RegExp(`<title>Index of ${f}</title>[\\s\\S]{0,2000}<div class="list">`)],
    ['nginx autoindex', new RegExp(`<title>Index of ${f}</title>[\\s\\S]{0,400}<h1>Index of ${f}</h1><hr><pre>`)],
    ['Apache', new RegExp(`<title>Index of ${f}</title>[\\s\\S]{0,400}<h1>Index of ${f}</h1>`)],
  ];
  return kinds.find(([, re]) => re.test(head))?.[0];
}

/** The names a listing links to, one level down (no parent, no sort links, no absolute URLs elsewhere). */
export function listedEntries(body: string, folderUrl: string): string[] {
  const out = new Set<string>();
  const base = new URL(folderUrl);
  for (const m of body.matchAll(/<a\s[^>]*?href\s*=\s*["']([^"'?#]+)["']/gi)) {
    let u: URL;
    try {
      u = new URL(m[1] as string, base);
    } catch {
      continue;
    }
    if (u.origin !== base.origin || !u.pathname.startsWith(base.pathname) || u.pathname === base.pathname) continue;
    const rest = u.pathname.slice(base.pathname.length);
    // One level: a file of this folder or a sub-folder's own name.
    if (/^[^/]+\/?$/.test(rest)) out.add(decodeURIComponent(rest));
  }
  return [...out];
}

interface Found {
  folder: string;
  kind: string;
  entries: string[];
  dumps: string[];
}

async function followDumps(run: SecurityRun, folderUrl: string, entries: string[], backup: Matcher[], evidence: Evidence[]): Promise<string[]> {
  const dumps: string[] = [];
  for (const name of entries.filter((e) => DUMP_NAME.test(e)).slice(0, FOLLOW)) {
    const url = joinUrl(folderUrl, encodeURIComponent(name));
    try {
      const res = await run.client({ url });
      const hit = res.status >= 200 && res.status < 300 ? firstMatch(backup, res.raw ?? Buffer.from(res.body)) : undefined;
      if (hit) {
        dumps.push(`${name} (${hit.what})`);
        evidence.push(httpEvidence(`GET ${new URL(url).pathname}`, { url }, { ...res, body: hit.binary ? `[binary, ${(res.raw ?? Buffer.from(res.body)).length} bytes]` : '[dump, not shown]' }, run.redactor, 100));
      }
    } catch {
      // an entry that does not answer is not a finding
    }
  }
  return dumps;
}

/** Probe the backup-ish folders for listings; follow what they list one level. */
export async function listingCheck(run: SecurityRun, siteName: string, baseUrl: string, backup: Matcher[], gatePage: ProbeResponse | undefined): Promise<CheckResult> {
  const startedAt = Date.now();
  const found: Found[] = [];
  const evidence: Evidence[] = [];
  const errors: string[] = [];
  let answered = 0;
  for (const folder of LISTING_FOLDERS) {
    const url = joinUrl(baseUrl, folder);
    let res: ProbeResponse;
    try {
      // The site's home page was fetched already (the gate): reuse it.
      res = folder === '/' && gatePage && new URL(gatePage.url).pathname === '/' ? gatePage : await run.client({ url });
      answered += 1;
    } catch (err) {
      errors.push(`${folder}: ${errorMessage(err)}`);
      continue;
    }
    const kind = res.status >= 200 && res.status < 300 ? listingKind(res.body, folder) : undefined;
    if (!kind) continue;
    const entries = listedEntries(res.body, url);
    evidence.push(httpEvidence(`listing of ${folder}`, { url }, res, run.redactor, 600));
    found.push({ folder, kind, entries, dumps: await followDumps(run, url, entries, backup, evidence) });
  }
  const dumps = found.flatMap((f) => f.dumps.map((d) => `${f.folder}${d}`));
  const meta = { def: 'exposed.listing', slug: `exposed.${siteName}.listing`, url: baseUrl, startedAt, evidence, attempts: LISTING_FOLDERS.length };
  if (found.length) {
    const what = found.map((f) => `${f.folder} (${f.kind}, ${f.entries.length} entries${f.entries.length ? `: ${f.entries.slice(0, 6).join(', ')}${f.entries.length > 6 ? ', …' : ''}` : ''})`).join('; ');
    return makeCheck({ ...meta, ...(dumps.length ? { severity: 'critical' as const } : {}), status: 'failed', message: `directory listing at ${baseUrl}: ${what}${dumps.length ? `; it serves ${dumps.join(', ')}` : ''}` });
  }
  if (!answered) return makeCheck({ ...meta, status: 'errored', message: `could not probe ${LISTING_FOLDERS.join(', ')} at ${baseUrl}: ${errors.join('; ')}` });
  return makeCheck({ ...meta, status: 'passed', message: `no directory listing at ${LISTING_FOLDERS.join(', ')} of ${baseUrl}` });
}
