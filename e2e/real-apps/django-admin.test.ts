import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../src/platform/browser.ts';
import { skipWithoutChromium } from '../helpers/binaries.ts';
import { skipWithoutDjango, startDjango, type TestDjango } from '../helpers/django.ts';
import { EXAMPLES } from '../helpers/examples.ts';
import { findSecrets } from '../helpers/scan-secrets.ts';
import { check, Runs, seriousFailures, summary, type Run } from '../helpers/verify-run.ts';

// Proof on a real server-rendered framework: Django 3.2 (Debian's
// python3-django) serving its own admin, signed in through its CSRF login form
// as two roles, with the example's config (examples/django-admin/). One site
// for the whole file; each variant is the one change a bad deploy or a bad
// pipeline makes: an env var, a config line, a permission row in the database.

const CONFIG = join(EXAMPLES, 'django-admin', 'pdv.config.ts');
const PASSWORDS = { admin: `dj-admin-canary-${process.pid}-Qx7`, editor: `dj-editor-canary-${process.pid}-Vb3` };
const ENV = { DJANGO_ADMIN_PASSWORD: PASSWORDS.admin, DJANGO_EDITOR_PASSWORD: PASSWORDS.editor };

// What Django sends that is as secret as a password: the CSRF token (cookie and
// hidden field) and the session cookie. Their values are unknown in advance, so
// the scan looks for them in the shapes they travel in.
const TOKEN_PATTERNS = [/csrftoken=[A-Za-z0-9]{32,}/, /csrfmiddlewaretoken"?\s*(?:value="|=)[A-Za-z0-9]{32,}/, /sessionid=[a-z0-9]{32}/];

const runs = new Runs();
afterAll(() => runs.cleanup());

/** Every session key Django holds (the value of each `sessionid` cookie it issued). */
async function sessionKeys(site: TestDjango): Promise<string[]> {
  const out = await site.manage(['shell', '-c', 'from django.contrib.sessions.models import Session\nfor k in Session.objects.values_list("session_key", flat=True): print(k)']);
  return out.split('\n').map((l) => l.trim()).filter((l) => /^[a-z0-9]{32}$/.test(l));
}

async function expectNoSecrets(site: TestDjango, r: Run, extra: string[] = []): Promise<void> {
  const keys = await sessionKeys(site);
  expect(keys.length).toBeGreaterThan(0);
  const { hits, filesScanned } = await findSecrets(r.out, [...Object.values(PASSWORDS), ...extra, ...keys], TOKEN_PATTERNS);
  expect(filesScanned).toBeGreaterThan(3);
  expect(hits).toEqual([]);
}

describe.skipIf(skipWithoutDjango() || skipWithoutChromium(findChromium()))('real app: Django admin, a CSRF form login with two roles', () => {
  let site: TestDjango;
  beforeAll(async () => {
    site = await startDjango({ passwords: PASSWORDS });
  }, 60_000);
  afterAll(() => site?.stop());

  it('healthy → stand (exit 0): both roles signed in through the CSRF form, the access table holds, UAT sees each signed-in page, nothing secret written', async () => {
    const before = site.requests().length;
    const r = await runs.verify(CONFIG, ['--base-url', site.url, '--expect-version', '3.2-example'], ENV);
    expect(summary(r), r.output).toEqual({ code: 0, verdict: 'stand', top: undefined });
    for (const id of [
      'smoke.readiness',
      'smoke.version',
      'smoke.login.admin',
      'smoke.login.editor',
      'smoke.login-page',
      'smoke.admin-adds-users',
      'smoke.editor-lists-users',
      'security.access.anonymous-lists-users',
      'security.access.editor-lists-users',
      'security.access.editor-adds-users',
      'security.access.admin-adds-users',
      'security.cookies.session',
      'security.redirect.login-return-to',
      'uat.admin.is-greeted-and-may-add-users',
      'uat.editor.is-greeted-and-may-only-view-users',
    ]) {
      expect([id, check(r, id).status]).toEqual([id, 'passed']);
    }
    // One sign-in per role for the whole run (smoke, access table and UAT share it): Django logged
    // exactly two posts of its login form, each with a valid CSRF token, each answered 302.
    const logins = site.requests().slice(before).filter((l) => l.includes('"POST /admin/login/'));
    expect(logins.map((l) => / (\d{3}) \d+$/.exec(l)?.[1])).toEqual(['302', '302']);
    await expectNoSecrets(site, r);
  });

  it("the editor's password wrong → rollback (exit 1) naming smoke.login.editor, in Django's own words", async () => {
    const wrong = `dj-wrong-canary-${process.pid}-Hn5`;
    const r = await runs.verify(CONFIG, ['--base-url', site.url], { ...ENV, DJANGO_EDITOR_PASSWORD: wrong });
    expect(summary(r), r.output).toEqual({ code: 1, verdict: 'rollback', top: 'smoke.login.editor' });
    const editor = check(r, 'smoke.login.editor');
    expect(editor.status).toBe('failed');
    expect(editor.message).toContain('Please enter the correct username and password');
    expect(check(r, 'smoke.login.admin').status).toBe('passed');
    await expectNoSecrets(site, r, [wrong]);
  });

  it("the editor's password env unset → exit 3: nothing written, no request reached Django", async () => {
    const before = site.requests().length;
    const r = await runs.verify(CONFIG, ['--base-url', site.url], { DJANGO_ADMIN_PASSWORD: PASSWORDS.admin });
    expect(r.code, r.output).toBe(3);
    expect(r.output).toContain('DJANGO_EDITOR_PASSWORD');
    expect(readdirSync(r.out)).toEqual([]);
    expect(site.requests().slice(before)).toEqual([]);
  });

  it('a login form selector that matches nothing → hold (exit 2), never rollback: pdv could not sign in', async () => {
    const config = runs.variant(CONFIG, {
      environments: { staging: { auth: { form: 'form#nope' } } },
      stages: { uat: { testDir: join(EXAMPLES, 'django-admin', 'uat') } },
    });
    const r = await runs.verify(config, ['--base-url', site.url], ENV);
    expect(summary(r).code, r.output).toBe(2);
    expect(r.verdict?.verdict).toBe('hold');
    for (const role of ['admin', 'editor']) {
      const login = check(r, `smoke.login.${role}`);
      expect([login.status, login.message]).toEqual(['errored', expect.stringContaining('form#nope')]);
    }
    expect(seriousFailures(r)).toEqual([]);
  });

  // Issue 21 item 7: the open-redirect probe of the login form (`openRedirect.form`) submits the
  // form as a browser does (the page's CSRF token and cookie), so Django processes every post;
  // a post Django refused (403 CSRF) would not count as tested. Before, it posted without the
  // token, Django answered 403 and the check still "passed (4 probes)".
  let formProbe: Promise<{ r: Run; posts: string[] }> | undefined;
  const probeTheLoginForm = (): Promise<{ r: Run; posts: string[] }> =>
    (formProbe ??= (async () => {
      const before = site.requests().length;
      const config = runs.variant(CONFIG, { stages: { security: { openRedirect: { form: { role: 'editor' } } }, uat: { testDir: join(EXAMPLES, 'django-admin', 'uat') } } });
      const r = await runs.pdv(['run', 'security'], config, ['--base-url', site.url], ENV);
      return { r, posts: site.requests().slice(before).filter((l) => l.includes('"POST /admin/login/')) };
    })());

  it('the open-redirect probe posts the login form with a foreign next (Django logs the posts)', async () => {
    const { r, posts } = await probeTheLoginForm();
    expect(check(r, 'security.redirect.login-return-to').status, r.output).not.toBe('failed');
    expect(posts.length).toBeGreaterThanOrEqual(2);
  });

  it('… and counts a post as tested only when Django processed it (not refused it for its CSRF token)', async () => {
    const { r, posts } = await probeTheLoginForm();
    const refused = posts.filter((l) => /" 403 /.test(l));
    const status = check(r, 'security.redirect.login-return-to').status;
    // Passed is allowed only when no post of the form was refused.
    expect({ status, refused: status === 'passed' ? refused : [] }).toEqual({ status, refused: [] });
  });

  // Django's admin opens the add-user form only to who may add *and* change users.
  it('the editor given rights it must not have (auth.add_user, auth.change_user) → rollback (exit 1) naming security.access.editor-adds-users', async () => {
    const grant = (op: 'add' | 'remove'): Promise<string> =>
      site.manage(['shell', '-c', `from django.contrib.auth.models import Permission, User\nUser.objects.get(username="editor").user_permissions.${op}(*Permission.objects.filter(codename__in=["add_user", "change_user"]))`]);
    await grant('add');
    try {
      const r = await runs.verify(CONFIG, ['--base-url', site.url], ENV);
      expect(summary(r), r.output).toEqual({ code: 1, verdict: 'rollback', top: 'security.access.editor-adds-users' });
      expect(r.verdict?.reasons[0]?.message).toContain('200');
      // Only a signed-in editor sees it: anonymous is still sent to the login page.
      expect(check(r, 'security.access.anonymous-lists-users').status).toBe('passed');
      await expectNoSecrets(site, r);
    } finally {
      await grant('remove');
    }
  });
});
