import { defineConfig } from '../src/config/index.ts';

// The config `pdv demo` verifies the bundled demo deployment with. The base
// URL is filled in when the demo starts on a free loopback port.
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
      allowedHosts: ['127.0.0.1', 'localhost'],
    },
  },
  stages: {
    smoke: { flagsMirror: 'flags.production.json', readiness: { timeout: '20s', interval: 250, refusedGrace: '2s', path: '/health' } },
  },
  reportsDir: '../reports',
  deadline: '10m',
});
