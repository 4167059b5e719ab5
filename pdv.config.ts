import { defineConfig } from './src/config/index.ts';
import { AI_FILM_STUDIO } from './demo/target.ts';

// pdv's config for the AI Film Studio environments. Secrets are named by the
// env var that holds them; the values never appear in this file or in a report.
// Precedence: CLI flag > env var (ENVIRONMENT, PDV_BASE_URL, API_BASE_URL,
// DATABASE_URL, REDIS_URL, AWS_REGION) > this file > defaults.
const credentials = (prefix: string) => ({
  admin: { username: 'qa-admin@ai-film-studio.example', passwordEnv: `${prefix}_ADMIN_PASSWORD` },
  editor: { username: 'qa-editor@ai-film-studio.example', passwordEnv: `${prefix}_EDITOR_PASSWORD` },
  viewer: { username: 'qa-viewer@ai-film-studio.example', passwordEnv: `${prefix}_VIEWER_PASSWORD` },
});

// How the AI Film Studio answers (login, health, the integration path): demo/target.ts.
const app = AI_FILM_STUDIO;

export default defineConfig({
  project: 'ai-film-studio',
  environments: {
    dev: {
      baseUrl: 'http://127.0.0.1:3000',
      ...app,
      credentials: credentials('DEV'),
      allowedHosts: ['127.0.0.1', 'localhost'],
    },
    sandbox: {
      baseUrl: 'https://sandbox.ai-film-studio.example',
      apiUrl: 'https://api.sandbox.ai-film-studio.example',
      ...app,
      credentials: credentials('SANDBOX'),
      secretEnv: ['SLACK_WEBHOOK_URL'],
    },
    staging: {
      baseUrl: 'https://staging.ai-film-studio.example',
      apiUrl: 'https://api.staging.ai-film-studio.example',
      expectedVersion: '1.4.0',
      ...app,
      credentials: credentials('STAGING'),
      secretEnv: ['SLACK_WEBHOOK_URL', 'PDV_WEBHOOK_SECRET', 'GITHUB_TOKEN'],
      allowedHosts: ['staging.ai-film-studio.example', 'api.staging.ai-film-studio.example'],
      // The runbook's roles: DevOps engineers and release managers decide held runs;
      // the product team signs off UAT. A workflow guard (docs/decisions.md); the
      // protected GitHub environment in pdv-decide.yml is the real boundary.
      approvers: ['devops', 'release-managers'],
      groups: {
        devops: ['devops-oncall'],
        'release-managers': ['release-manager'],
        'product-team': ['product-owner'],
      },
      signoffs: { uat: ['product-team', 'release-managers'] },
    },
  },
  stages: {
    smoke: { testDir: 'tests/smoke', flagsMirror: 'demo/flags.production.json', login: { enabled: false } },
    uat: { testDir: 'tests/uat' },
    // The AI Film Studio's endpoints for the app-specific security probes (none runs unless named).
    security: {
      cors: { paths: ['/', '/api/me'] },
      sessionCookie: { name: 'sid' },
      openRedirect: { path: '/login', param: 'returnTo', form: { role: 'viewer', usernameField: 'email' } },
      rateLimit: { path: '/api/login' },
    },
    // The AI Film Studio's API read/write mix at a modest open-model rate (the scenario names its login).
    load: { scenario: 'perf/scenarios/staging.ts' },
    // Restore the newest RDS snapshot of the environment's database to a temporary
    // instance, validate it, delete it. Every stage that runs must give evidence:
    // a stage left unconfigured holds the verdict (set `enabled: false` to opt out).
    dr: {
      driver: 'rds',
      source: { instance: 'ai-film-studio-staging' },
      criticalTables: ['users', 'projects', 'render_jobs'],
      compareTo: 'live',
      tolerance: 0.02,
      migrationsDir: 'demo/migrations',
      rpoTarget: '26h',
      rtoTarget: '45m',
      timeout: '60m',
    },
    // The app's own alarm gauge from its /metrics (no source configured: the target's page is read).
    // A stage with nothing to evaluate is refused at plan time: name what to watch, or `enabled: false`.
    metrics: {
      rules: [{ name: 'alarm-condition', query: 'demo_alarm_condition', failureCondition: 'value > 0', severity: 'critical' }],
    },
  },
  policy: {
    majorBudget: 0,
    overrides: [],
  },
  quarantine: [],
  deadline: '30m',
  // The runbook's pre-production checklist: every report ticks it from the evidence;
  // verdict.json says `promotion: ready` only when the verdict stands and all ten are ticked.
  checklist: [
    { id: 'tests-passing', title: 'All tests passing', stages: ['smoke', 'uat'] },
    { id: 'security-scan', title: 'Security scan: no critical issue', stages: ['security'] },
    { id: 'performance', title: 'Performance benchmarks met', stages: ['load'] },
    { id: 'docs-updated', title: 'Documentation updated', file: 'README.md' },
    { id: 'rollback-plan', title: 'Rollback plan documented', file: 'docs/actions.md' },
    { id: 'monitoring', title: 'Monitoring and alerts configured', stages: ['metrics'] },
    { id: 'migrations', title: 'Database migrations tested', checks: ['dr.migration-*'] },
    { id: 'integrations', title: 'Third-party integrations verified', checks: ['smoke.integration-*'] },
    { id: 'uat-signoff', title: 'UAT sign-off received', signoff: 'uat' },
    { id: 'change-ticket', title: 'Change-management ticket created', changeTicket: { pattern: '^CHG-\\d+$' } },
  ],
});
