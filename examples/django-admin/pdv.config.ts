import { defineConfig } from '../../src/config/index.ts';

// pdv for a Django site's admin (site/ beside this file: Django's own
// contrib.admin, a /healthz view, sqlite). Django's login is the web's most
// common kind: the login page sets a `csrftoken` cookie and carries a hidden
// `csrfmiddlewaretoken` field; a wrong password answers 200 with the form again.
//   admin  — a superuser;
//   editor — staff who may only view users (auth.view_user), never add one.
// Anonymous visitors are sent to the login page. The passwords come from the
// environment (DJANGO_ADMIN_PASSWORD, DJANGO_EDITOR_PASSWORD), never from here.
//
//   DJANGO_ADMIN_PASSWORD=… DJANGO_EDITOR_PASSWORD=… npx pdv verify \
//     --config examples/django-admin/pdv.config.ts --base-url https://admin.staging.example.com

export default defineConfig({
  project: 'django-admin',
  environments: {
    staging: {
      // Replaced by --base-url (or PDV_BASE_URL).
      baseUrl: 'http://127.0.0.1:8000',
      // Ready: /healthz answers {"status": "ok"} once the database answers.
      health: { path: '/healthz', ready: { status: 200, json: { status: 'ok' } } },
      version: { path: '/healthz', field: 'version' },
      credentials: {
        admin: { username: 'admin', passwordEnv: 'DJANGO_ADMIN_PASSWORD' },
        editor: { username: 'editor', passwordEnv: 'DJANGO_EDITOR_PASSWORD' },
      },
      // A form login as a browser submits it: GET the page, keep the CSRF cookie and the
      // hidden field, post username and password to the form's own action. Signed in means
      // a `sessionid` cookie, and the admin index then greets the user by name.
      auth: {
        type: 'form',
        url: '/admin/login/?next=/admin/',
        form: 'form#login-form',
        success: { cookie: 'sessionid' },
        verify: { path: '/admin/', expect: { status: 200, bodyContains: 'Site administration' } },
      },
      allowedHosts: ['127.0.0.1'],
    },
  },
  stages: {
    smoke: {
      // Each role signs in first (smoke.login.admin, smoke.login.editor: critical).
      checks: [
        {
          id: 'login-page',
          title: 'the admin login page is served',
          path: '/admin/login/',
          expect: { status: 200, headers: { 'content-type': { matches: '^text/html' }, 'x-frame-options': 'DENY' }, bodyContains: 'csrfmiddlewaretoken' },
          severity: 'critical',
        },
        {
          id: 'admin-adds-users',
          title: 'the admin opens the add-user form',
          path: '/admin/auth/user/add/',
          role: 'admin',
          expect: { status: 200, bodyContains: 'Add user' },
          severity: 'critical',
        },
        {
          id: 'editor-lists-users',
          title: 'the editor sees the user list',
          path: '/admin/auth/user/',
          role: 'editor',
          expect: { status: 200, bodyContains: 'id="result_list"' },
          severity: 'major',
        },
      ],
    },
    security: {
      // The access table: who may see and change the users.
      access: {
        rules: [
          // Anonymous visitors are sent to the login page, never shown the list.
          { name: 'anonymous-lists-users', path: '/admin/auth/user/', role: 'anonymous', expect: 302 },
          { name: 'editor-lists-users', path: '/admin/auth/user/', role: 'editor', expect: 200, severity: 'major' },
          // View-only staff must not reach the add-user form (Django opens it to who may add and change users).
          { name: 'editor-adds-users', path: '/admin/auth/user/add/', role: 'editor', expect: 403 },
          { name: 'admin-adds-users', path: '/admin/auth/user/add/', role: 'admin', expect: 200, severity: 'major' },
        ],
      },
      // The admin's session cookie (HttpOnly, SameSite=Lax; Secure once served over HTTPS).
      sessionCookie: { name: 'sessionid' },
      // Django's login honours ?next= only on its own host; a foreign one must not be followed.
      // (`form: { role: 'editor' }` also signs in through the form with the foreign next — posted
      // as a browser does, with the page's CSRF token; e2e/real-apps/django-admin.test.ts runs it.)
      openRedirect: { path: '/admin/login/', param: 'next' },
      // The default exposed-file probes (.git/config, .env, backups, dumps…) all run.
    },
    uat: {
      // Playwright specs that open the admin as each role, with the session pdv signed in.
      testDir: './uat',
      retries: 0,
      workers: 1,
    },
  },
});
