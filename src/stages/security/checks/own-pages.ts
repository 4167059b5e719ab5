import type { ProbeResponse } from '../../../http/probe-client.ts';

// Pure parts of the probes that start from the site's own pages (source maps
// of its scripts, editor and backup copies of its pages): which scripts and
// pages a page names on its own origin, what a script says its map is, and
// whether an answer is a source map at all (an SPA's index.html is not).

const is2xx = (r: ProbeResponse): boolean => r.status >= 200 && r.status < 300;

/** Same-origin URLs a page names in `attr` of `tag` (`<script src>`, `<a href>`), first `max`, no query or fragment. */
function sameOriginRefs(html: string, pageUrl: string, re: RegExp, max: number): string[] {
  const page = new URL(pageUrl);
  const out: string[] = [];
  for (const m of html.slice(0, 256 * 1024).matchAll(re)) {
    let u: URL;
    try {
      u = new URL((m[1] as string).trim(), page);
    } catch {
      continue;
    }
    if (u.origin !== page.origin) continue;
    u.search = '';
    u.hash = '';
    if (!out.includes(u.toString())) out.push(u.toString());
    if (out.length >= max) break;
  }
  return out;
}

/** The page's own scripts (`<script src>` on its origin). */
export function scriptSources(html: string, pageUrl: string, max: number): string[] {
  return sameOriginRefs(html, pageUrl, /<script\b[^>]{0,500}?\bsrc\s*=\s*["']([^"'<>]+)["']/gi, max);
}

/** The pages the page links to on its own origin. */
export function linkedPages(html: string, pageUrl: string, max: number): string[] {
  return sameOriginRefs(html, pageUrl, /<a\b[^>]{0,500}?\bhref\s*=\s*["']([^"'<>#]+)["']/gi, max);
}

/** The page answers that are pages of the site (2xx HTML). */
export function htmlPages(answers: Array<ProbeResponse | undefined>): ProbeResponse[] {
  return answers.filter((r): r is ProbeResponse => !!r && is2xx(r) && /<html|<!doctype html|<script|<a\s/i.test(r.body.slice(0, 64 * 1024)));
}

/** Where a script says its source map is: the SourceMap header, else its last `sourceMappingURL` comment. */
export function sourceMapRef(script: ProbeResponse): string | undefined {
  const header = script.headers.sourcemap?.[0] ?? script.headers['x-sourcemap']?.[0];
  if (header) return header.trim();
  const tail = script.body.slice(-4096);
  const all = [...tail.matchAll(/[#@]\s*sourceMappingURL\s*=\s*(\S+)/g)];
  return all.length ? (all[all.length - 1]?.[1] as string).replace(/\*\/$/, '') : undefined;
}

export interface SourceMapFacts {
  /** Original files the map names. */
  sources: number;
  /** Of them, how many have their source text embedded (sourcesContent). */
  embedded: number;
}

/**
 * A source map (revision 3: `version: 3` and a `mappings` string, or an index
 * map's `sections`), with how many sources it names and embeds; undefined for
 * anything else — an SPA's index.html, an error page, a JSON API answer.
 */
export function sourceMapFacts(text: string): SourceMapFacts | undefined {
  // A map may start with the anti-XSSI prefix `)]}'` (the spec allows it).
  const body = text.replace(/^\uFEFF?\s*\)\]\}'[^\n]*\n/, '');
  let j: unknown;
  try {
    j = JSON.parse(body);
  } catch {
    return undefined;
  }
  const facts = (m: unknown): SourceMapFacts | undefined => {
    const o = m as { version?: unknown; mappings?: unknown; sources?: unknown; sourcesContent?: unknown; sections?: unknown } | null;
    if (!o || typeof o !== 'object' || o.version !== 3) return undefined;
    if (Array.isArray(o.sections)) {
      const parts = o.sections.map((s: unknown) => facts((s as { map?: unknown } | null)?.map)).filter((f): f is SourceMapFacts => !!f);
      return parts.length ? { sources: parts.reduce((a, p) => a + p.sources, 0), embedded: parts.reduce((a, p) => a + p.embedded, 0) } : undefined;
    }
    if (typeof o.mappings !== 'string' || !Array.isArray(o.sources)) return undefined;
    const embedded = Array.isArray(o.sourcesContent) ? o.sourcesContent.filter((c) => typeof c === 'string' && c.length > 0).length : 0;
    return { sources: o.sources.length, embedded };
  };
  return facts(j);
}

/** Extensions of pages a server runs rather than serves: a copy of one is its source code. */
const SERVER_SIDE = /\.(?:php\d?|phtml|inc|asp|aspx|ascx|jsp|jspx|cfm|cgi|pl|py|rb|shtml)$/i;

/** Whether the home page says it is PHP (X-Powered-By or a PHP session cookie): its index is then index.php. */
export function servedByPhp(home: ProbeResponse): boolean {
  return /php/i.test(home.headers['x-powered-by']?.join(' ') ?? '') || (home.headers['set-cookie'] ?? []).some((c) => /^PHPSESSID=/i.test(c));
}

/**
 * The editor and backup copies of a server-side page (`/a/login.php` →
 * `/a/login.php~`, `/a/.login.php.swp`, `/a/login.php.bak`, `/a/login.php.old`);
 * none for a folder or a static file (a copy of static HTML leaks nothing new).
 */
export function copyCandidates(path: string): string[] {
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  if (!name || !SERVER_SIDE.test(name)) return [];
  return [`${dir}${name}~`, `${dir}.${name}.swp`, `${dir}${name}.bak`, `${dir}${name}.old`];
}
