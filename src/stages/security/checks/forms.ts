import { findLoginForm as findForm, type LoginForm } from '../../../auth/html.ts';
import { Jar } from '../../../auth/session.ts';
import { headerValues, type HttpClient, type ProbeResponse } from '../../../http/probe-client.ts';

// A login form submitted as a browser submits it: GET the page (keeping the
// cookies it sets), keep the form's hidden inputs (CSRF tokens) and its own
// action, fill the named fields, POST with the same cookies. The open-redirect
// and rate-limit probes use it so a CSRF-protected login form is really tested
// instead of refused. (src/auth/ signs roles in; this only carries a probe.)

/** A login form: absolute action, method, and the fields a browser would send (hidden CSRF inputs included). */
export type HtmlForm = Pick<LoginForm, 'action' | 'method' | 'fields'>;

/** The first form holding a password input (a login form), or undefined: the sign-in's own reader. */
export function findLoginForm(html: string, pageUrl: string): HtmlForm | undefined {
  const found = findForm(html, pageUrl);
  return found.ok ? { action: found.form.action, method: found.form.method, fields: found.form.fields } : undefined;
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
  const jar = new Jar();
  const page = await client({ url: pageUrl, headers: { accept: 'text/html,application/xhtml+xml' } });
  jar.store(pageUrl, headerValues(page, 'set-cookie'));
  const form = page.status >= 200 && page.status < 300 ? findLoginForm(page.body, pageUrl) : undefined;
  if (!form) return { page };
  const body = new URLSearchParams(form.fields.filter(([k]) => !(k in fill)));
  for (const [k, v] of Object.entries(fill)) body.set(k, v);
  const origin = new URL(pageUrl).origin;
  const cookie = jar.header(form.action);
  return {
    page,
    form,
    request: {
      method: form.method === 'GET' ? 'POST' : form.method,
      url: form.action,
      // Origin and Referer as a browser sends them: some CSRF guards check them as well as the token.
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin, referer: pageUrl, ...(cookie ? { cookie } : {}) },
      body: body.toString(),
    },
  };
}
