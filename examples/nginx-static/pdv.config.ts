import { defineConfig } from '../../src/config/index.ts';

// pdv for a static site served by nginx (site.conf beside this file): no
// login, no API, so the checks are about what any web server must get right:
// it is up, it serves the pages and the right build, it sends its security
// headers, and it serves nothing that should stay private.
//
//   npx pdv verify --config examples/nginx-static/pdv.config.ts \
//     --base-url https://www.example.com --expect-version 1.4.2
export default defineConfig({
  project: 'nginx-static',
  environments: {
    staging: {
      // Replaced by --base-url (or PDV_BASE_URL) in a pipeline.
      baseUrl: 'http://127.0.0.1:8080',
      // Ready means the health location answers 200 {"status":"ok"}; anything else fails at once
      // (nginx has no warm-up: no 503 is expected).
      health: { path: '/healthz', on: 'web', ready: { status: 200, json: { status: 'ok' } } },
      // The build writes its version into the docroot; --expect-version compares it.
      version: { path: '/version.json', on: 'web', field: 'version' },
      allowedHosts: ['127.0.0.1'],
    },
  },
  stages: {
    smoke: {
      checks: [
        {
          id: 'home-page',
          title: 'home page is served with its security headers',
          path: '/',
          on: 'web',
          expect: {
            status: 200,
            headers: {
              'content-type': { matches: '^text/html' },
              'x-frame-options': { matches: '^(DENY|SAMEORIGIN)$' },
              'x-content-type-options': 'nosniff',
              'content-security-policy': { matches: "frame-ancestors 'none'" },
            },
            bodyContains: '<h1>',
            maxLatency: '1s',
          },
          severity: 'critical',
        },
        {
          id: 'stylesheet',
          path: '/style.css',
          on: 'web',
          expect: { status: 200, headers: { 'content-type': { matches: '^text/css' } } },
          severity: 'major',
        },
        {
          // A catch-all that answers 200 for every path hides broken links and confuses scanners.
          id: 'unknown-page-404',
          title: 'an unknown page is a 404',
          path: '/no-such-page-pdv',
          on: 'web',
          expect: { status: 404 },
          severity: 'minor',
        },
      ],
    },
    security: {
      // Plain HTTP on loopback caps the grade at C+ (no HSTS, no HTTPS redirect); with the
      // headers of site.conf the site reaches it. Over HTTPS ask for B or better.
      headers: { minimumGrade: 'C+' },
      // The default exposed-file probes (.git/config, .env, backups, dumps…) all run.
    },
  },
});
