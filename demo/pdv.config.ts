import { defineConfig } from '../src/config/index.ts';
import { AI_FILM_STUDIO } from './target.ts';

// The config `pdv demo` verifies the bundled demo deployment with. The base
// URL, the HTTPS URL and its pinned certificate, the backup folder and the
// Prometheus server are filled in when the demo starts (demo/job.ts).
export default defineConfig({
  project: 'ai-film-studio',
  environments: {
    demo: {
      baseUrl: 'http://127.0.0.1:1',
      expectedVersion: '1.4.0',
      credentials: {
        admin: { username: 'admin@studio.test', passwordEnv: 'DEMO_ADMIN_PASSWORD' },
        editor: { username: 'editor@studio.test', passwordEnv: 'DEMO_EDITOR_PASSWORD' },
        editor2: { username: 'editor2@studio.test', passwordEnv: 'DEMO_EDITOR_PASSWORD' },
        viewer: { username: 'viewer@studio.test', passwordEnv: 'DEMO_VIEWER_PASSWORD' },
      },
      ...AI_FILM_STUDIO,
      allowedHosts: ['127.0.0.1', 'localhost'],
    },
  },
  stages: {
    // This repo's AI Film Studio specs (they sign in themselves, so no separate login checks).
    smoke: {
      testDir: '../tests/smoke',
      flagsMirror: 'flags.production.json',
      login: { enabled: false },
      readiness: { timeout: '20s', interval: 250, refusedGrace: '2s' },
      // `pdv demo` adds the probe of the demo's cache, the redis-server it starts when one is
      // installed (demo/job.ts: REDIS_URL, smoke.dependency.cache).
    },
    uat: { testDir: '../tests/uat' },
    security: {
      headers: { minimumGrade: 'B' },
      access: {
        rules: [
          { method: 'GET', path: '/api/projects', role: 'anonymous', expect: [401, 403] },
          { method: 'GET', path: '/api/me', role: 'anonymous', expect: [401, 403] },
          { method: 'POST', path: '/api/projects', role: 'viewer', body: { title: 'pdv access probe' }, expect: 403 },
          { method: 'GET', path: '/api/users/{id:editor2}/settings', role: 'editor', expect: 403 },
          { method: 'GET', path: '/api/users/{id:editor}/settings', role: 'editor', expect: 200 },
        ],
      },
      sessionCookie: { name: 'sid', severity: 'major' },
      // The demo's own endpoints: nothing app-specific is probed unless named here.
      cors: { paths: ['/', '/api/me'] },
      openRedirect: { path: '/login', param: 'returnTo', form: { path: '/login', role: 'viewer', usernameField: 'email' } },
      // POST /api/login {username, password}; 429 + Retry-After after 5 failures.
      rateLimit: { path: '/api/login', limited: { status: 429 } },
    },
    // The demo's staging traffic (viewer and editor, its JSON login); there is no default scenario.
    // The demo answers in a few ms on loopback, where a busy machine's noise dwarfs any real
    // shift: its baseline comparison needs a larger effect before it holds.
    load: { scenario: '../perf/scenarios/staging.ts', baseline: { minShift: '50ms' } },
    metrics: {
      // Without a Prometheus binary the stage reads the demo's /metrics directly.
      rules: [{ name: 'alarm-condition', query: 'demo_alarm_condition', failureCondition: 'value > 0', severity: 'critical' }],
      // The app's JSON-lines log (`pdv demo` sets the file and the deploy time, the demo's start;
      // the window before it is the previous release's last minute, see demo/applog.ts).
      logs: [{ name: 'app', source: { type: 'file', paths: ['app.jsonl'] }, window: '20s', step: '1s', minLines: 20, newSignatures: { threshold: 5 } }],
      // The demo's own connection gauge, watched by `pdv soak` (no default series name).
      soak: { probes: [{ name: 'health', path: '/health' }], process: { openConnections: 'demo_open_connections' } },
    },
  },
  reportsDir: '../reports',
  deadline: '10m',
  // A short pre-production checklist, so the demo's reports show one (`pdv decide` / `pdv signoff`, docs/decisions.md).
  checklist: [
    { id: 'tests-passing', title: 'All tests passing', stages: ['smoke', 'uat'] },
    { id: 'integrations', title: 'Third-party integrations verified', checks: ['smoke.integration-*'] },
    { id: 'rollback-plan', title: 'Rollback plan documented', file: '../docs/actions.md' },
    { id: 'uat-signoff', title: 'UAT sign-off received', signoff: 'uat' },
    { id: 'change-ticket', title: 'Change-management ticket created', changeTicket: true },
  ],
});
