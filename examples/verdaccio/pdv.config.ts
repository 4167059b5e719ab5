import { defineConfig } from '../../src/config/index.ts';

// pdv for Verdaccio 5, a private npm registry (config.yaml beside this file):
// a JSON API with a token login and two roles.
//   alice — a maintainer: reads and publishes the team's @team/* packages;
//   bob   — a reader: reads @team/* packages, publishes nothing.
// Anonymous users read public packages only. The passwords come from the
// environment (VERDACCIO_ALICE_PASSWORD, VERDACCIO_BOB_PASSWORD), never from here.
//
//   VERDACCIO_ALICE_PASSWORD=… VERDACCIO_BOB_PASSWORD=… npx pdv verify \
//     --config examples/verdaccio/pdv.config.ts --base-url https://npm.staging.example.com

/** The private package every check reads (already published on the registry). */
const PRIVATE = '/@team%2fsecret';

// What `npm publish` sends: one new version of @team/secret and its tarball (an
// empty gzip'd tar). A registry that lets the reader publish answers 201 to it.
const PUBLISH_BODY = {
  _id: '@team/secret',
  name: '@team/secret',
  'dist-tags': { 'pdv-probe': '0.0.0-pdv-probe' },
  versions: {
    '0.0.0-pdv-probe': {
      name: '@team/secret',
      version: '0.0.0-pdv-probe',
      dist: { tarball: 'http://localhost/@team/secret/-/secret-0.0.0-pdv-probe.tgz' },
    },
  },
  _attachments: {
    'secret-0.0.0-pdv-probe.tgz': { content_type: 'application/octet-stream', data: 'H4sIAAAAAAAAA+3BAQ0AAADCoPdPbQ43oAAAAAAAAAAAAIA3A5reHScAKAAA', length: 46 },
  },
};

export default defineConfig({
  project: 'team-registry',
  environments: {
    staging: {
      // Replaced by --base-url (or PDV_BASE_URL); the API is on the same origin.
      baseUrl: 'http://127.0.0.1:4873',
      // Ready: GET /-/ping answers 200.
      health: { path: '/-/ping', ready: { status: 200 } },
      credentials: {
        alice: { username: 'alice', passwordEnv: 'VERDACCIO_ALICE_PASSWORD' },
        bob: { username: 'bob', passwordEnv: 'VERDACCIO_BOB_PASSWORD' },
      },
      // Verdaccio's JSON login (the one its web UI uses): POST {username, password} →
      // 200 {token, username}; the token goes in `Authorization: Bearer …` on every API
      // call (config.yaml signs API tokens as JWTs so that it is accepted there).
      // Verdaccio 5 lets one client address sign in 5 times a minute here, whatever
      // userRateLimit says; a run signs in once per role, shared by every stage (a
      // throttled sign-in, 429, holds rather than rolls back).
      auth: { type: 'json', url: '/-/verdaccio/sec/login', tokenPath: 'token' },
      allowedHosts: ['127.0.0.1'],
    },
  },
  stages: {
    smoke: {
      // Each role signs in first (smoke.login.alice, smoke.login.bob: critical).
      checks: [
        {
          id: 'whoami',
          title: 'the reader token is accepted',
          path: '/-/whoami',
          role: 'bob',
          expect: { status: 200, json: { username: 'bob' } },
          severity: 'critical',
        },
        {
          id: 'private-package',
          title: 'the maintainer reads the private package',
          path: PRIVATE,
          role: 'alice',
          expect: { status: 200, json: { name: '@team/secret', 'dist-tags.latest': { type: 'string' } }, maxLatency: '2s' },
          severity: 'critical',
        },
        {
          id: 'web-ui',
          title: 'the web UI is served',
          path: '/',
          on: 'web',
          expect: { status: 200, headers: { 'content-type': { matches: '^text/html' }, 'x-frame-options': { exists: true } } },
          severity: 'major',
        },
      ],
    },
    security: {
      // The access table: who may read and publish the private package.
      access: {
        rules: [
          { name: 'anonymous-reads-private', path: PRIVATE, role: 'anonymous', expect: [401, 403] },
          { name: 'reader-reads-private', path: PRIVATE, role: 'bob', expect: 200, severity: 'major' },
          { name: 'anonymous-publishes-private', method: 'PUT', path: PRIVATE, role: 'anonymous', body: PUBLISH_BODY, expect: [401, 403] },
          { name: 'reader-publishes-private', method: 'PUT', path: PRIVATE, role: 'bob', body: PUBLISH_BODY, expect: [401, 403] },
        ],
      },
      // Verdaccio as shipped grades D+ over plain HTTP: it sends X-Frame-Options and nosniff,
      // but its CSP (connect-src 'self') does not restrict scripts, and there is no HSTS.
      // Put it behind a proxy that adds HSTS and a script CSP, then ask for B or better.
      headers: { minimumGrade: 'D+' },
      // The default exposed-file probes (.git/config, .env, backups, dumps…) all run.
    },
  },
});
