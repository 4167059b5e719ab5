import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumLaunchOptions } from '../platform/browser.ts';
import { errorMessage } from '../core/errors.ts';
import type { Evidence } from '../core/types.ts';
import type { BrowserLoginConfig, BrowserStep } from './config.ts';
import { describePage, pageWords } from './html.ts';
import { bounded, loadFunction } from './module.ts';
import { cannot, refused, unreachable, type LoginInput, type Outcome } from './outcome.ts';
import { Jar, type StorageState } from './session.ts';
import { tokenHeader } from './token-login.ts';
import { pickJson, resolveUrl } from './util.ts';

// Sign-in in a real Chromium, for logins that only work in a browser (forms
// built by JavaScript, identity-provider redirects, consent pages). A step
// that matches nothing is pdv's input failing (errored); a login form that
// stays with an error shown, or a 401/403 answer to the submission, is the
// target refusing (failed). The storage state feeds UAT; its cookies (and a
// token kept in localStorage) feed every HTTP stage.

const SECRETISH_KEY = /token|auth|session|jwt|secret|key|credential/i;

interface Seen {
  method: string;
  url: string;
  status: number;
}

/** The first visible error-ish text on the page (role=alert, error/invalid/alert classes). */
const ERROR_TEXT = `(() => {
  const re = /\\b(error|errors|errornote|errorlist|alert|danger|invalid|failed|failure)\\b/i;
  for (const el of document.querySelectorAll('[role=alert], [class], [id]')) {
    if (el === document.body || el === document.documentElement) continue;
    const hit = el.getAttribute('role') === 'alert' || re.test(el.getAttribute('class') || '') || re.test(el.getAttribute('id') || '');
    if (!hit) continue;
    const r = el.getBoundingClientRect();
    const text = (el.innerText || '').replace(/\\s+/g, ' ').trim();
    if (text && r.width > 0 && r.height > 0) return text.slice(0, 200);
  }
  return '';
})()`;

const PASSWORD_VISIBLE = `[...document.querySelectorAll('input[type=password]')].some((e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')`;

class StepError extends Error {}

function fillValue(v: string, x: LoginInput): string {
  return v.replaceAll('{username}', x.username ?? '').replaceAll('{password}', x.password ?? '');
}

function describeStep(s: BrowserStep): string {
  const { action, ...rest } = s;
  const shown = Object.entries(rest)
    .filter(([k]) => k !== 'value')
    .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
    .join(', ');
  return `${action}${shown ? ` (${shown})` : ''}`;
}

async function runStep(page: Page, s: BrowserStep, x: LoginInput, timeout: number): Promise<void> {
  const t = { timeout };
  switch (s.action) {
    case 'goto':
      await page.goto(resolveUrl(s.path, x.baseUrl), t);
      return;
    case 'fill': {
      const l = s.label ? page.getByLabel(s.label) : s.placeholder ? page.getByPlaceholder(s.placeholder) : s.name ? page.locator(`[name="${s.name.replace(/"/g, '\\"')}"]`) : page.locator(s.selector ?? '');
      await l.first().fill(fillValue(s.value, x), t);
      return;
    }
    case 'click': {
      const l = s.role ? page.getByRole(s.role as Parameters<Page['getByRole']>[0], s.name ? { name: s.name } : {}) : s.text ? page.getByText(s.text, { exact: false }) : page.locator(s.selector ?? '');
      await l.first().click(t);
      return;
    }
    case 'press':
      if (s.selector) await page.locator(s.selector).first().press(s.key, t);
      else await page.keyboard.press(s.key);
      return;
    case 'waitFor':
      if (s.url) await page.waitForURL(new RegExp(s.url), t);
      else if (s.text) await page.getByText(s.text).first().waitFor(t);
      else await page.locator(s.selector ?? '').first().waitFor(t);
      return;
  }
}

/** pdv's default: the visible password input, the text/email input before it, then submit. */
async function defaultSteps(page: Page, x: LoginInput, timeout: number): Promise<void> {
  const pw = page.locator('input[type=password]:visible').first();
  try {
    await pw.waitFor({ state: 'visible', timeout });
  } catch {
    throw new StepError('no visible password input on the page: give auth.steps or auth.module');
  }
  const user = page.locator('input:is([type=text],[type=email],[type=tel],:not([type])):visible');
  const count = await user.count();
  if (!count) throw new StepError('no visible text or email input for the username: give auth.steps');
  // The username input is the last visible text input before the password input.
  const index = await user.evaluateAll((els, pwIndex) => {
    const all = Array.from(document.querySelectorAll('input'));
    let best = 0;
    els.forEach((el, i) => {
      if (all.indexOf(el as HTMLInputElement) < (pwIndex as number)) best = i;
    });
    return best;
  }, await pw.evaluate((el) => Array.from(document.querySelectorAll('input')).indexOf(el as HTMLInputElement)));
  await user.nth(index).fill(x.username ?? '', { timeout });
  await pw.fill(x.password ?? '', { timeout });
  const inForm = pw.locator('xpath=ancestor::form[1]').locator('button[type=submit]:visible, input[type=submit]:visible, button:not([type]):visible');
  if (await inForm.count()) return inForm.first().click({ timeout });
  // No form: the visible button that says so, else the first one after the password input.
  const named = page.getByRole('button', { name: SUBMIT_WORDS }).filter({ visible: true });
  if (await named.count()) return named.first().click({ timeout });
  const after = pw.locator('xpath=following::button[1]');
  if (await after.count()) return after.first().click({ timeout });
  await pw.press('Enter', { timeout });
}

const SUBMIT_WORDS = /^\s*(log ?in|sign ?in|submit|continue|next|anmelden|connexion)\s*$/i;

async function succeeded(page: Page, cfg: BrowserLoginConfig): Promise<boolean> {
  const s = cfg.success;
  if (!s) return !(await page.evaluate(PASSWORD_VISIBLE).catch(() => true));
  if (s.url && !new RegExp(s.url).test(page.url())) return false;
  if (s.text && !(await page.getByText(s.text).first().isVisible().catch(() => false))) return false;
  if (s.selector && !(await page.locator(s.selector).first().isVisible().catch(() => false))) return false;
  return true;
}

/** Wait for signed-in, or for a refusal the page shows; undefined when neither came in time. */
async function outcomeOf(page: Page, cfg: BrowserLoginConfig, errorBefore: string, seen: Seen[], submittedAt: number): Promise<{ ok: true } | { ok: false; error: string } | undefined> {
  const deadline = Date.now() + cfg.timeout;
  let errorSince: number | undefined;
  while (Date.now() < deadline) {
    if (await succeeded(page, cfg)) return { ok: true };
    const error = String(await page.evaluate(ERROR_TEXT).catch(() => ''));
    const denied = seen.slice(submittedAt).find((r) => r.status === 401 || r.status === 403);
    if ((error && error !== errorBefore) || denied) {
      errorSince ??= Date.now();
      // A refusal shown for a second, with the login form still there, is the answer.
      if (Date.now() - errorSince > 1000) return { ok: false, error: error || `HTTP ${denied?.status} from ${denied?.method} ${denied?.url}` };
    }
    await page.waitForTimeout(200);
  }
  return undefined;
}

export async function browserLogin(cfg: BrowserLoginConfig, x: LoginInput): Promise<Outcome> {
  const r = x.redactor;
  const seen: Seen[] = [];
  const evidence = (): Evidence[] => [{ kind: 'json', label: `browser sign-in as ${x.role}`, data: { requests: seen.map((s) => ({ ...s, url: r.url(s.url) })) } }];
  let browser: Browser | undefined;
  try {
    let context: BrowserContext;
    try {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ ...chromiumLaunchOptions(), headless: true });
      context = await browser.newContext({ baseURL: x.baseUrl });
    } catch (err) {
      return cannot(`the browser for signing in as ${x.role} could not start: ${errorMessage(err)}`);
    }
    const page = await context.newPage();
    page.on('response', (res) => {
      const req = res.request();
      if (['document', 'xhr', 'fetch'].includes(req.resourceType())) seen.push({ method: req.method(), url: res.url(), status: res.status() });
    });
    const start = resolveUrl(cfg.url, x.baseUrl);
    let first;
    try {
      first = await page.goto(start, { timeout: cfg.timeout });
    } catch (err) {
      return unreachable(`sign in as ${x.role}: opening ${r.url(start)} failed: ${r.text(firstLine(errorMessage(err)))}`, err, evidence());
    }
    if (first && first.status() >= 500) return refused(`sign in as ${x.role}: the login page ${r.url(start)} answered HTTP ${first.status()}`, evidence(), first.status());
    await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => undefined);
    const errorBefore = String(await page.evaluate(ERROR_TEXT).catch(() => ''));
    const submittedAt = seen.length;
    const stepTimeout = Math.min(cfg.timeout, 10_000);
    const ran = await perform(page, cfg, x, stepTimeout);
    if ('failed' in ran) return cannot(`sign in as ${x.role}: ${ran.failed}`, evidence());
    if ('ok' in ran) return ran;
    const out = await outcomeOf(page, cfg, errorBefore, seen, submittedAt);
    const words = r.text(describePage(pageWords(await page.content().catch(() => ''))));
    if (!out) return cannot(`sign in as ${x.role}: the login form is still shown after ${cfg.timeout} ms and the page shows no refusal${words ? ` (page: ${words})` : ''}: set auth.success to what signed in looks like, or auth.steps`, evidence());
    if (!out.ok) return refused(`sign in as ${x.role}: the application refused: "${r.text(out.error)}"${words ? ` (page: ${words})` : ''}`, evidence(), seen.slice(submittedAt).find((s) => s.status === 401 || s.status === 403)?.status);
    await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => undefined);
    return sessionOf((await context.storageState()) as StorageState, cfg, x, evidence());
  } finally {
    await browser?.close().catch(() => undefined);
  }
}

type Performed = { done: true } | { failed: string } | Outcome;

/** Run the steps (or module, or pdv's default): done, a step that failed (pdv's input), or the module's refusal. */
async function perform(page: Page, cfg: BrowserLoginConfig, x: LoginInput, timeout: number): Promise<Performed> {
  const r = x.redactor;
  try {
    if (cfg.module) {
      const fn = await loadFunction(cfg.module, x.rootDir);
      const res = (await bounded(Promise.resolve(fn(...([{ page, role: x.role, username: x.username, password: x.password, baseUrl: x.baseUrl }] as never[]))), cfg.timeout, 'the login module')) as { refused?: unknown } | undefined;
      if (res && typeof res.refused === 'string') return refused(`sign in as ${x.role} (module ${cfg.module}): the application refused: ${r.text(res.refused)}`, []);
      return { done: true };
    }
    if (!cfg.steps) {
      await defaultSteps(page, x, timeout);
      return { done: true };
    }
    for (const [i, s] of cfg.steps.entries()) {
      try {
        await runStep(page, s, x, timeout);
      } catch (err) {
        // A waitFor that never came true after the submit may be a refusal: let the outcome decide.
        if (s.action === 'waitFor' && i > 0) return { done: true };
        throw new StepError(`step ${i + 1} of auth.steps, ${describeStep(s)}, failed on ${r.url(page.url())}: ${firstLine(errorMessage(err))}`);
      }
    }
    return { done: true };
  } catch (err) {
    const words = r.text(describePage(pageWords(await page.content().catch(() => ''))));
    return { failed: `${err instanceof StepError ? r.text(err.message) : `${cfg.module ? `the login module ${cfg.module} threw` : 'the sign-in steps failed'}: ${r.text(firstLine(errorMessage(err)))}`}${words ? ` (page: ${words})` : ''}` };
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function sessionOf(state: StorageState, cfg: BrowserLoginConfig, x: LoginInput, evidence: Evidence[]): Outcome {
  const jar = new Jar();
  for (const c of state.cookies) {
    x.redactor.addSecret(`cookie:${x.role}:${c.name}`, c.value);
    jar.put(c, `${c.secure ? 'https' : 'http'}://${c.domain.replace(/^\./, '')}${c.path}`);
  }
  let fixed: Record<string, string> = {};
  let token: string | undefined;
  for (const o of state.origins) for (const item of o.localStorage) if (SECRETISH_KEY.test(item.name)) x.redactor.addSecret(`storage:${x.role}:${item.name}`, item.value);
  if (cfg.localStorageToken) {
    const t = cfg.localStorageToken;
    const item = state.origins.flatMap((o) => o.localStorage).find((i) => i.name === t.key);
    let value: unknown = item?.value;
    if (item && t.path) {
      try {
        value = pickJson(JSON.parse(item.value), t.path);
      } catch {
        value = undefined;
      }
    }
    if (typeof value !== 'string' || !value) return cannot(`signed in as ${x.role} in the browser, but localStorage has no token at ${t.key}${t.path ? ` → ${t.path}` : ''}: check auth.localStorageToken`, evidence);
    token = value;
    x.redactor.addSecret(`token:${x.role}`, token);
    fixed = tokenHeader(token, t);
  }
  if (!jar.size && !token) return refused(`signed in as ${x.role} in the browser, but the session has no cookie and no token`, evidence);
  return { ok: true, fixed, jar, how: 'browser', ...(token ? { token } : {}), storageState: { cookies: jar.all(), origins: state.origins }, decidedBy: cfg.success ? 'the success rule' : 'the password input went away', evidence };
}
