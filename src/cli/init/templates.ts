import type { ProbeFindings } from './probe.ts';

// What `pdv init` writes into the user's repo. Pure: the answers and the
// probe's findings in, file contents out (tested against pdv's own config
// and scenario validation).

export interface InitAnswers {
  project: string;
  environment: string;
  baseUrl?: string;
  /** Where the specs and the scenario go, relative to the repo root. */
  dir: string;
}

export interface InitFile {
  path: string;
  content: string;
}

export const PLACEHOLDER_URL = 'https://staging.example.invalid';

const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const obj = (o: Record<string, string | number | boolean>): string =>
  `{ ${Object.entries(o).map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : q(k)}: ${typeof v === 'string' ? q(v) : String(v)}`).join(', ')} }`;

export function configFile(a: InitAnswers, f?: ProbeFindings): string {
  const baseUrl = f?.baseUrl ?? a.baseUrl ?? PLACEHOLDER_URL;
  const host = new URL(baseUrl).hostname;
  const env: string[] = [];
  env.push(`      // Replaced by --base-url or $PDV_BASE_URL in a pipeline.`);
  env.push(`      baseUrl: ${q(baseUrl)},`);
  if (f?.health) {
    const ready = { status: f.health.status, ...(f.health.json ? { json: f.health.json } : {}) };
    const readyText = ready.json ? `{ status: ${ready.status}, json: ${obj(ready.json)} }` : `{ status: ${ready.status} }`;
    env.push(`      // Found by pdv init: ${f.health.path} answered ${f.health.status}${f.health.json ? ` ${JSON.stringify(f.health.json)}` : ''}.`);
    env.push(`      health: { path: ${q(f.health.path)}, on: 'web', ready: ${readyText} },`);
  } else {
    env.push(`      // Name your health endpoint to have readiness judged strictly, e.g.`);
    env.push(`      // health: { path: '/healthz', ready: { status: 200, json: { status: 'ok' } } },`);
  }
  if (f?.version?.field) {
    env.push(`      // Found by pdv init: ${f.version.path} reports ${f.version.field} ${JSON.stringify(f.version.value)}; --expect-version compares it.`);
    env.push(`      version: { path: ${q(f.version.path)}, on: 'web', field: ${q(f.version.field)} },`);
  } else {
    env.push(`      // Where the running build's version is read, e.g.`);
    env.push(`      // version: { path: '/version', field: 'version' },`);
  }
  env.push(`      allowedHosts: [${q(host)}],`);
  const security: string[] = [];
  if (f?.grade) security.push(`      // The headers of / graded ${f.grade} when pdv init looked${f.https ? `; HTTPS on, HSTS ${f.hsts ? 'on' : 'off'}` : '; no HTTPS'}: raise it as you go.`);
  security.push(`      headers: { minimumGrade: ${q(f?.grade ?? 'D')} },`);
  return `import { defineConfig } from 'pdv';

// pdv for ${a.project} (written by \`pdv init\`). Paths are relative to this file.
// Run: npx pdv verify [--env ${a.environment}] [--base-url URL] [--expect-version V]
// Reference: node_modules/pdv/docs/install.md
export default defineConfig({
  project: ${q(a.project)},
  environments: {
    ${/^[a-z][a-z0-9_]*$/.test(a.environment) ? a.environment : q(a.environment)}: {
${env.join('\n')}
    },
  },
  stages: {
    smoke: { testDir: ${q(`${a.dir}/smoke`)} },
    security: {
${security.join('\n')}
    },
    // A load test against staging: enable once the rates in the scenario fit your stand.
    // load: { scenario: ${q(`${a.dir}/load/baseline.ts`)} },
  },
});
`;
}

export function smokeSpec(): string {
  return `import { expect, test } from 'pdv/playwright';

// A first smoke spec (written by \`pdv init\`): runs in Chromium under \`pdv verify\`.
// Tags set what a failure means: @critical → rollback, @major (default), @minor → warn.
// \`test.use({ role: 'admin' })\` signs the browser in as a configured role.
test('home page renders @critical', async ({ page, target }) => {
  const res = await page.goto('/');
  expect(res?.status() ?? 0, \`GET \${target.baseUrl}/\`).toBeLessThan(400);
  await expect(page.locator('body')).toBeVisible();
});
`;
}

export function loadScenario(): string {
  return `import { defineScenario } from 'pdv';

// A load scenario skeleton (written by \`pdv init\`): an open model at a fixed arrival rate.
// Add your app's main read and write paths; k6-style thresholds decide the checks.
// Export it for k6 with: npx pdv load export-k6
export default defineScenario({
  name: 'baseline',
  scenarios: {
    browse: {
      executor: 'constant-arrival-rate',
      rate: 5,
      timeUnit: '1s',
      duration: '10s',
      requests: [{ name: 'home', method: 'GET', path: '/' }],
    },
  },
  thresholds: {
    'http_req_duration{expected_response:true}': ['p(95)<500'],
    http_req_failed: ['rate<0.01'],
  },
});
`;
}

export function workflow(a: InitAnswers): string {
  return `# pdv verify after each successful deploy (written by \`pdv init\`).
# Set the repository variable PDV_BASE_URL (or keep the config's baseUrl);
# role passwords come from secrets, named by the config's passwordEnv.
name: pdv verify
on:
  workflow_dispatch:
  deployment_status:
jobs:
  verify:
    if: github.event_name == 'workflow_dispatch' || github.event.deployment_status.state == 'success'
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - run: npx playwright install --with-deps chromium
      - name: pdv verify
        run: npx pdv verify --env ${a.environment} --deploy-id "\${{ github.sha }}"
        env:
          PDV_BASE_URL: \${{ vars.PDV_BASE_URL }}
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: pdv-report
          path: reports/
`;
}

/** Every file `pdv init` writes (the .gitignore line is handled apart: it appends). */
export function initFiles(a: InitAnswers, f?: ProbeFindings): InitFile[] {
  return [
    { path: 'pdv.config.ts', content: configFile(a, f) },
    { path: `${a.dir}/smoke/home.spec.ts`, content: smokeSpec() },
    { path: `${a.dir}/load/baseline.ts`, content: loadScenario() },
    { path: '.github/workflows/pdv-verify.yml', content: workflow(a) },
  ];
}
