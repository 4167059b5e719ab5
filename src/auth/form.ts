import { errorMessage } from '../core/errors.ts';
import type { Evidence } from '../core/types.ts';
import { evaluate } from '../http/expect.ts';
import type { FormLoginConfig } from './config.ts';
import { exchangeEvidence, walk, type Walk } from './exchange.ts';
import { describePage, findLoginForm, hasLoginForm, mentionsCsrf, pageWords, readableText, type LoginForm } from './html.ts';
import { blankSecrets, resolveUrl } from './util.ts';
import { cannot, refused, unreachable, type LoginInput, type Outcome } from './outcome.ts';
import { Jar, type SendRequest } from './session.ts';

// A login form as a browser submits it (k6's submitForm is the model): GET
// the page, keep every hidden input (the CSRF token) and the form's own
// action, fill username and password, submit with the page's cookies, follow
// same-origin redirects. Success is judged as a person would: not the login
// form again, and a redirect away from it or a configured success rule.

const SECRETISH_FIELD = /csrf|xsrf|token|authenticity|nonce|state|verification/i;

export async function formLogin(cfg: FormLoginConfig, x: LoginInput): Promise<Outcome | { direct: true }> {
  const jar = new Jar();
  const r = x.redactor;
  const evidence: Evidence[] = [];
  const keep = (w: Walk, what: string): void => {
    w.hops.forEach((h, i) => evidence.push(exchangeEvidence(r, i === 0 ? what : `${what} (redirect ${i})`, h.req, h.res, blankSecrets)));
  };
  const onCookie = (name: string, value: string): void => r.addSecret(`cookie:${x.role}:${name}`, value);
  const base = cfg.on === 'base' ? x.baseUrl : x.apiUrl;
  const pageUrl = resolveUrl(cfg.url, base, x.username);

  let page: Walk;
  try {
    page = await walk(x.send, jar, { method: 'GET', url: pageUrl, headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' } }, x.signal, cfg.timeout, onCookie);
  } catch (err) {
    return unreachable(`GET ${r.url(pageUrl)} (the login page) failed: ${r.text(errorMessage(err))}`, err, evidence);
  }
  keep(page, `login page for ${x.role}`);
  // A URL that only takes the POST (405, or an API's non-HTML 404, to a GET) or answers data, not
  // a page, is a form-encoded API login: submit the fields to it directly, as `direct: true` does.
  const st = page.final.status;
  if (st === 405 || ((st < 300 || st === 404) && !isHtml(page.final))) return { direct: true };
  const pageProblem = judgePage(page, r.url(pageUrl));
  if (pageProblem) return { ...pageProblem, evidence };

  const found = findLoginForm(page.final.body, page.url, cfg.form);
  if (!found.ok) {
    const words = describePage(pageWords(page.final.body));
    return cannot(`${found.reason} at ${r.url(page.url)}${words ? ` (page: ${r.text(words)})` : ''}: set auth.form to the login form's CSS selector, or use auth.type 'browser' when the form is built by JavaScript`, evidence);
  }
  const form = found.form;
  const built = buildFields(cfg, form, x);
  if (typeof built === 'string') return cannot(built, evidence);
  for (const [name, value] of built) if (SECRETISH_FIELD.test(name)) r.addSecret(`form:${x.role}:${name}`, value);

  const submit = encode(form, built);
  const origin = new URL(page.url).origin;
  const req: SendRequest = {
    method: form.method,
    url: submit.url,
    headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8', origin, referer: page.url, ...(submit.contentType ? { 'content-type': submit.contentType } : {}) },
    ...(submit.body !== undefined ? { body: submit.body } : {}),
  };
  let answer: Walk;
  try {
    answer = await walk(x.send, jar, req, x.signal, cfg.timeout, onCookie);
  } catch (err) {
    return unreachable(`sign in as ${x.role}: ${req.method} ${r.url(req.url)} failed: ${r.text(errorMessage(err))}`, err, evidence);
  }
  keep(answer, `sign in as ${x.role}`);
  return judgeAnswer(cfg, x, { jar, evidence, page, answer, form });
}

function isHtml(res: { headers: Record<string, string[]>; body: string }): boolean {
  const type = res.headers['content-type']?.[0] ?? '';
  return /html/i.test(type) || (!type && /^\s*</.test(res.body));
}

/** A login page that is not there is a configuration problem; one the server cannot render is the target's. */
function judgePage(page: Walk, url: string): Omit<Extract<Outcome, { ok: false }>, 'evidence'> | undefined {
  const s = page.final.status;
  if (s >= 200 && s < 300) return undefined;
  const words = describePage(pageWords(page.final.body));
  const said = words ? `: ${words}` : '';
  if (s === 429) return { ok: false, fault: 'target', status: s, message: `the login page ${url} answered HTTP 429${said}` };
  if (s >= 500) return { ok: false, fault: 'target', status: s, message: `the login page ${url} answered HTTP ${s}${said}` };
  return { ok: false, fault: 'harness', status: s, message: `the login page ${url} answered HTTP ${s}${said}, before any credential was sent: set auth.url to the page that shows the login form` };
}

function buildFields(cfg: FormLoginConfig, form: LoginForm, x: LoginInput): Array<[string, string]> | string {
  const userField = cfg.usernameField ?? form.usernameName;
  const passField = cfg.passwordField ?? form.passwordName;
  const inputs = form.inputNames.length ? form.inputNames.join(', ') : 'none';
  if (!passField) return `the login form has no password input (its inputs: ${inputs}): set auth.passwordField`;
  if (!userField) return `the login form has no text or email input before the password input (its inputs: ${inputs}): set auth.usernameField`;
  for (const [what, name] of [['usernameField', userField], ['passwordField', passField]] as const) {
    if (!form.inputNames.includes(name) && !(name in cfg.fields)) return `the login form has no input named "${name}" (auth.${what}; its inputs: ${inputs})`;
  }
  const values = new Map<string, string>([...Object.entries(cfg.fields).map(([k, v]): [string, string] => [k, String(v)]), [userField, x.username ?? ''], [passField, x.password ?? '']]);
  const out: Array<[string, string]> = form.fields.map(([k, v]) => [k, values.get(k) ?? v]);
  for (const [k, v] of values) if (!out.some(([name]) => name === k)) out.push([k, v]);
  return out;
}

function encode(form: LoginForm, fields: Array<[string, string]>): { url: string; body?: string; contentType?: string } {
  const params = new URLSearchParams(fields);
  if (form.method === 'GET') {
    const u = new URL(form.action);
    u.search = params.toString();
    return { url: u.toString() };
  }
  if (form.enctype === 'multipart/form-data') {
    const boundary = `----pdv${Math.random().toString(16).slice(2)}`;
    const body = fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k.replace(/"/g, '%22')}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`;
    return { url: form.action, body, contentType: `multipart/form-data; boundary=${boundary}` };
  }
  return { url: form.action, body: params.toString(), contentType: 'application/x-www-form-urlencoded' };
}

interface Submitted {
  jar: Jar;
  evidence: Evidence[];
  page: Walk;
  answer: Walk;
  form: LoginForm;
}

function judgeAnswer(cfg: FormLoginConfig, x: LoginInput, s: Submitted): Outcome {
  const r = x.redactor;
  const final = s.answer.final;
  const status = final.status;
  const words = r.text(describePage(pageWords(final.body)));
  const said = words ? `: ${words}` : '';
  const label = `sign in as ${x.role}`;
  const text = readableText(final.body);
  if (status === 429) return refused(`${label}: HTTP 429${said}`, s.evidence, status);
  // A CSRF refusal after pdv sent the form's own hidden fields and cookies means pdv's
  // round trip did not satisfy the app (a token the page builds by script, a trusted-origin
  // rule): the harness's problem, not evidence about the deploy.
  if (status === 419 || ((status === 400 || status === 403) && mentionsCsrf(text))) {
    return cannot(`${label}: the application refused the sign-in as a CSRF failure (HTTP ${status}${said}) although pdv sent the login form's hidden fields and cookies: check that auth.url is the page that renders the form, or use auth.type 'browser'`, s.evidence);
  }
  if (status >= 500) return refused(`${label}: HTTP ${status}${said}`, s.evidence, status);
  if (status >= 400) return refused(`${label}: the application refused the credentials (HTTP ${status}${said})`, s.evidence, status);
  if (!cfg.success && loginFormAgain(s)) return refused(`${label}: the login form came back${said}`, s.evidence, status);
  if (cfg.success) {
    const flat = Object.fromEntries(Object.entries(final.headers).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
    const { cookie, url, ...expect } = cfg.success;
    const problems = Object.keys(expect).length ? evaluate(expect, { status, headers: flat, body: final.body }) : [];
    if (cookie && !s.jar.names().includes(cookie)) problems.push(`no cookie "${cookie}" was set`);
    if (url && !new RegExp(url).test(s.answer.url)) problems.push(`ended on ${r.url(s.answer.url)}, not /${url}/`);
    if (problems.length) return refused(`${label}: not signed in (${problems.join('; ')})${said}`, s.evidence, status);
    return signedIn(s, `the success rule (${Object.keys(cfg.success).join(', ')})`);
  }
  const away = s.answer.hops.length > 1 && new URL(s.answer.url).pathname !== new URL(s.page.url).pathname;
  if (away) return signedIn(s, `a redirect away from the login page (to ${new URL(s.answer.url).pathname})`);
  if (cfg.verify) return signedIn(s, undefined);
  return cannot(`${label}: HTTP ${status} without the login form and without a redirect away from it${said}: pdv cannot tell whether this is signed in; set auth.success or auth.verify`, s.evidence);
}

/** The same login form again (a page that merely holds another password form, e.g. "change password", is not). */
function loginFormAgain(s: Submitted): boolean {
  if (!hasLoginForm(s.answer.final.body)) return false;
  const path = (u: string): string => new URL(u).pathname;
  if (path(s.answer.url) === path(s.page.url)) return true;
  const again = findLoginForm(s.answer.final.body, s.answer.url);
  return again.ok && path(again.form.action) === path(s.form.action);
}

function signedIn(s: Submitted, decidedBy: string | undefined): Outcome {
  if (!s.jar.size) return refused(`the sign-in set no cookie: there is no session to act with`, s.evidence, s.answer.final.status);
  // The session's cookies are the ones the answer to the credentials set, not the login page's.
  const setCookies = s.answer.hops.flatMap((h) => h.res.headers['set-cookie'] ?? []);
  return { ok: true, fixed: {}, jar: s.jar, setCookies, how: 'login', ...(decidedBy ? { decidedBy } : {}), evidence: s.evidence };
}
