import { headerValues, type HttpClient, type ProbeResponse } from '../../../http/probe-client.ts';

// A login form submitted as a browser submits it: GET the page (keeping the
// cookies it sets), keep the form's hidden inputs (CSRF tokens) and its own
// action, fill the named fields, POST with the same cookies. The open-redirect
// and rate-limit probes use it so a CSRF-protected login form is really tested
// instead of refused. (src/auth/ signs roles in; this only carries a probe.)

export interface HtmlForm {
  /** Absolute URL the form posts to. */
  action: string;
  method: string;
  /** Inputs in document order, hidden ones (CSRF tokens) included. */
  fields: Array<[string, string]>;
}

const ATTR = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function decode(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;|&#x0*27;|&apos;/gi, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attrs(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  const inner = tag.replace(/^<\s*[a-z]+/i, '').replace(/\/?>$/, '');
  for (const m of inner.matchAll(ATTR)) {
    const name = (m[1] ?? '').toLowerCase();
    if (name && !out.has(name)) out.set(name, decode(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return out;
}

/** The first form holding a password input (a login form), or undefined. */
export function findLoginForm(html: string, pageUrl: string): HtmlForm | undefined {
  const lower = html.toLowerCase();
  let at = 0;
  for (;;) {
    const start = lower.indexOf('<form', at);
    if (start < 0) return undefined;
    const openEnd = lower.indexOf('>', start);
    if (openEnd < 0) return undefined;
    const close = lower.indexOf('</form', openEnd);
    const end = close < 0 ? html.length : close;
    const inner = html.slice(openEnd + 1, end);
    at = end;
    const inputs = [...inner.matchAll(/<input\b[^>]*>/gi)].map((m) => attrs(m[0]));
    if (!inputs.some((a) => a.get('type')?.toLowerCase() === 'password')) continue;
    const form = attrs(html.slice(start, openEnd + 1));
    const fields: Array<[string, string]> = [];
    for (const a of inputs) {
      const name = a.get('name');
      const type = (a.get('type') ?? 'text').toLowerCase();
      if (!name || ['submit', 'button', 'image', 'reset', 'file'].includes(type)) continue;
      if ((type === 'checkbox' || type === 'radio') && !a.has('checked')) continue;
      fields.push([name, a.get('value') ?? '']);
    }
    let action = pageUrl;
    try {
      action = new URL(form.get('action') || pageUrl, pageUrl).toString();
    } catch {
      // an unparsable action posts back to the page, as a browser does
    }
    return { action, method: (form.get('method') ?? 'GET').toUpperCase(), fields };
  }
}

/** A tiny cookie jar: name → value of every cookie the answers set (no expiry or path rules: one probe, one origin). */
export class ProbeCookies {
  private readonly jar = new Map<string, string>();
  take(res: ProbeResponse): void {
    for (const line of headerValues(res, 'set-cookie')) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) this.jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header(): Record<string, string> {
    return this.jar.size ? { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }
}

export interface FormPost {
  /** The page's answer (evidence when no form is found). */
  page: ProbeResponse;
  form?: HtmlForm;
  /** The request to send: the form's fields, then `fill`, with the page's cookies. */
  request?: { method: string; url: string; headers: Record<string, string>; body: string };
}

/** GET the page and prepare the POST of its login form with `fill` (field → value) over the form's own fields. */
export async function prepareFormPost(client: HttpClient, pageUrl: string, fill: Record<string, string>): Promise<FormPost> {
  const cookies = new ProbeCookies();
  const page = await client({ url: pageUrl, headers: { accept: 'text/html,application/xhtml+xml' } });
  cookies.take(page);
  const form = page.status >= 200 && page.status < 300 ? findLoginForm(page.body, pageUrl) : undefined;
  if (!form) return { page };
  const body = new URLSearchParams(form.fields.filter(([k]) => !(k in fill)));
  for (const [k, v] of Object.entries(fill)) body.set(k, v);
  const origin = new URL(pageUrl).origin;
  return {
    page,
    form,
    request: {
      method: form.method === 'GET' ? 'POST' : form.method,
      url: form.action,
      // Origin and Referer as a browser sends them: some CSRF guards check them as well as the token.
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin, referer: pageUrl, ...cookies.header() },
      body: body.toString(),
    },
  };
}
