import { defineConfig } from '../../src/config/index.ts';

// pdv for Node-RED 4 (settings.cjs beside this file): a flow editor whose login
// is a form the editor's JavaScript draws in a dialog, so pdv signs in with a real
// Chromium. The editor keeps the access token in localStorage (`auth-tokens`) and
// sends it as a bearer token to the admin API (/flows, /settings, /auth/revoke).
//   admin  — permissions "*": edits and deploys flows;
//   reader — permissions "read": opens the editor and reads flows, deploys nothing.
// The passwords come from the environment (NODE_RED_ADMIN_PASSWORD,
// NODE_RED_READER_PASSWORD), never from here.
//
//   NODE_RED_ADMIN_PASSWORD=… NODE_RED_READER_PASSWORD=… npx pdv verify \
//     --config examples/node-red/pdv.config.ts --base-url https://flows.staging.example.com

export default defineConfig({
  project: 'flows',
  environments: {
    staging: {
      // Replaced by --base-url (or PDV_BASE_URL); the admin API is on the same origin.
      baseUrl: 'http://127.0.0.1:1880',
      // Node-RED has no health endpoint and its /settings needs a sign-in. GET /auth/login
      // answers anonymously with the login scheme: "credentials" is both "the admin API
      // is up" and "the editor still asks for a password" (a settings file that lost
      // adminAuth answers {} here).
      health: { path: '/auth/login', ready: { status: 200, json: { type: 'credentials' } } },
      credentials: {
        admin: { username: 'admin', passwordEnv: 'NODE_RED_ADMIN_PASSWORD' },
        reader: { username: 'reader', passwordEnv: 'NODE_RED_READER_PASSWORD' },
      },
      // The browser sign-in with pdv's default steps: open the editor, fill the visible
      // password input and the text input before it, press Enter, wait until the
      // password input is gone (Node-RED closes the login dialog on success and shows
      // "Login failed" in it otherwise). The editor then holds
      // localStorage["auth-tokens"] = {"access_token": …, "expires_in": …, "token_type": "Bearer"};
      // that token signs every HTTP check in as the role, and /settings must name the user.
      auth: {
        type: 'browser',
        url: '/',
        localStorageToken: { key: 'auth-tokens', path: 'access_token' },
        verify: { path: '/settings', expect: { status: 200, json: { 'user.username': '{username}' } } },
      },
      allowedHosts: ['127.0.0.1'],
    },
  },
  stages: {
    smoke: {
      // Each role signs in first (smoke.login.admin, smoke.login.reader: critical).
      checks: [
        {
          id: 'editor',
          title: 'the editor page is served',
          path: '/',
          on: 'web',
          expect: { status: 200, headers: { 'content-type': { matches: '^text/html' } }, bodyContains: '<title>Node-RED' },
          severity: 'critical',
        },
        {
          id: 'reader-reads-flows',
          title: "the reader's token reads the deployed flows",
          path: '/flows',
          role: 'reader',
          expect: { status: 200, json: { '0.id': { type: 'string' } } },
          severity: 'critical',
        },
      ],
    },
    // examples/node-red/uat/: each role opens the editor already signed in (the same
    // browser sign-in's storage state, localStorage included).
    uat: { testDir: 'uat' },
    security: {
      // The access table. A deploy is POST /flows. The probe's body ({}) is no flow list:
      // Node-RED checks the permission first (401 for a reader or nobody) and only then
      // reads the body, so a user allowed to deploy gets 400 and nothing is deployed —
      // the probe is safe against a live stand and still tells the two apart.
      access: {
        rules: [
          { name: 'anonymous-reads-flows', path: '/flows', role: 'anonymous', expect: 401 },
          { name: 'anonymous-deploys', method: 'POST', path: '/flows', role: 'anonymous', body: {}, expect: [401, 403] },
          { name: 'reader-deploys', method: 'POST', path: '/flows', role: 'reader', body: {}, expect: [401, 403] },
          { name: 'reader-reads-flows', path: '/flows', role: 'reader', expect: 200, severity: 'major' },
        ],
      },
      // Node-RED sets none of the graded headers itself: the grade and the header tests are
      // warnings (no minimumGrade). Put a proxy in front that adds them, then ask for B.
      // The default exposed-file probes (.git/config, .env, backups, dumps…) all run.
    },
  },
});
