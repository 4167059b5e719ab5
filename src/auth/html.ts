import { parse, type HTMLElement } from 'node-html-parser';

// Reading the pages a sign-in meets: the login form as a browser would submit
// it, and the words a person would read on a refusal (title, heading, the
// first error text) instead of the page's raw markup.

export interface LoginForm {
  action: string;
  method: string;
  enctype: string;
  /** Name/value pairs a browser would submit, in document order (hidden inputs, checked boxes, selects…). */
  fields: Array<[string, string]>;
  /** The password input's name. */
  passwordName?: string;
  /** The text/email input before the password input. */
  usernameName?: string;
  /** Names of every input (for messages). */
  inputNames: string[];
}

export type FindForm = { ok: true; form: LoginForm } | { ok: false; reason: string };

const SKIPPED_TYPES = new Set(['submit', 'button', 'image', 'reset', 'file']);
const USERNAME_TYPES = new Set(['text', 'email', 'tel', '']);

function inputType(el: HTMLElement): string {
  return (el.getAttribute('type') ?? '').toLowerCase();
}

/** The login form of a page: the one `selector` names, else the first holding a password input. */
export function findLoginForm(html: string, pageUrl: string, selector?: string): FindForm {
  const root = parse(html);
  let form: HTMLElement | null;
  if (selector) {
    try {
      form = root.querySelector(selector);
    } catch {
      return { ok: false, reason: `the form selector "${selector}" is not a valid CSS selector` };
    }
    if (!form) return { ok: false, reason: `no element matches the form selector "${selector}"` };
    if (form.tagName !== 'FORM') form = form.closest('form') ?? form.querySelector('form');
    if (!form) return { ok: false, reason: `"${selector}" matches no form` };
  } else {
    form = root.querySelectorAll('form').find((f) => f.querySelector('input[type=password]')) ?? null;
    if (!form) return { ok: false, reason: 'no form with a password input on the page' };
  }
  return { ok: true, form: readForm(form, pageUrl) };
}

function readForm(form: HTMLElement, pageUrl: string): LoginForm {
  const fields: Array<[string, string]> = [];
  const inputNames: string[] = [];
  let passwordName: string | undefined;
  let lastText: string | undefined;
  let usernameName: string | undefined;
  let submit: [string, string] | undefined;
  for (const el of form.querySelectorAll('input, select, textarea, button')) {
    const name = el.getAttribute('name');
    const tag = el.tagName;
    const type = tag === 'INPUT' ? inputType(el) : tag === 'BUTTON' ? (el.getAttribute('type') ?? 'submit').toLowerCase() : tag.toLowerCase();
    if (tag === 'INPUT' && type === 'password' && !passwordName && name) {
      passwordName = name;
      usernameName = lastText;
    }
    if (tag === 'INPUT' && USERNAME_TYPES.has(type) && name) lastText = name;
    if (!name || el.hasAttribute('disabled')) continue;
    inputNames.push(name);
    if (type === 'submit' || type === 'image') {
      // A browser sends the button that was clicked: the first named one.
      submit ??= [name, el.getAttribute('value') ?? ''];
      continue;
    }
    if (SKIPPED_TYPES.has(type)) continue;
    if ((type === 'checkbox' || type === 'radio') && !el.hasAttribute('checked')) continue;
    if (tag === 'SELECT') {
      const opts = el.querySelectorAll('option');
      const chosen = opts.find((o) => o.hasAttribute('selected')) ?? opts[0];
      if (chosen) fields.push([name, chosen.getAttribute('value') ?? chosen.text]);
      continue;
    }
    if (tag === 'TEXTAREA') fields.push([name, el.text]);
    else fields.push([name, el.getAttribute('value') ?? (type === 'checkbox' || type === 'radio' ? 'on' : '')]);
  }
  if (submit) fields.push(submit);
  const action = form.getAttribute('action');
  return {
    action: new URL(action && action.trim() ? action.trim() : pageUrl, pageUrl).toString(),
    method: (form.getAttribute('method') ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET',
    enctype: (form.getAttribute('enctype') ?? 'application/x-www-form-urlencoded').toLowerCase(),
    fields,
    ...(passwordName ? { passwordName } : {}),
    ...(usernameName ? { usernameName } : {}),
    inputNames,
  };
}

/** Whether a page holds a login form (a form with a password input). */
export function hasLoginForm(html: string): boolean {
  return /<input[^>]+type\s*=\s*["']?password/i.test(html) && parse(html).querySelectorAll('form').some((f) => f.querySelector('input[type=password]'));
}

export interface PageWords {
  title?: string;
  heading?: string;
  /** The first visible error-ish text (an alert, an error note, a flash message), else the first paragraph. */
  error?: string;
}

const ERRORISH = /\b(error|errors|errornote|errorlist|alert|danger|invalid|flash|warning|notice|message|feedback)\b/i;
const cap = (s: string, n = 200): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const clean = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The words a person reads on a page. */
export function pageWords(html: string): PageWords {
  if (!/<[a-z!]/i.test(html)) return {};
  const root = parse(html);
  for (const junk of root.querySelectorAll('script, style, noscript, template')) junk.remove();
  const title = clean(root.querySelector('title')?.text ?? '');
  const heading = clean(root.querySelector('h1')?.text ?? root.querySelector('h2')?.text ?? '');
  const errorEl = root
    .querySelectorAll('[role=alert], [class], [id]')
    .find((el) => (el.getAttribute('role') === 'alert' || ERRORISH.test(el.getAttribute('class') ?? '') || ERRORISH.test(el.getAttribute('id') ?? '')) && clean(el.text).length > 0 && el.tagName !== 'BODY' && el.tagName !== 'HTML');
  const error = clean(errorEl?.text ?? root.querySelector('p')?.text ?? '');
  return { ...(title ? { title: cap(title) } : {}), ...(heading ? { heading: cap(heading) } : {}), ...(error ? { error: cap(error) } : {}) };
}

/** One line a person can act on: "title — heading — error", without repeats. */
export function describePage(w: PageWords): string {
  const parts: string[] = [];
  for (const p of [w.title, w.heading, w.error]) if (p && !parts.some((q) => q.includes(p) || p.includes(q))) parts.push(p);
  return parts.map((p) => `"${p}"`).join(' — ');
}

/** The readable text of a body: HTML without markup, scripts and styles; anything else as it is. */
export function readableText(body: string): string {
  if (!/^\s*</.test(body)) return body;
  const root = parse(body);
  for (const junk of root.querySelectorAll('script, style, noscript, template, svg')) junk.remove();
  return clean(root.text);
}

/** A refusal that names CSRF is about the request pdv built, not the credentials. */
export function mentionsCsrf(text: string): boolean {
  return /csrf|xsrf|cross[- ]site request forgery|request verification token|invalid authenticity token|page has expired/i.test(text);
}
