import { defineScenario } from '../../src/load/scenario.ts';

// The demo's staging traffic: the API's main read and write paths at a
// modest open-model rate, short enough for every `pdv verify`.
// 40 req/s for 8 s covers at least one full 1 s freeze of the `stall` fault
// (any 6 s window holds one) and ~320 requests, so ~3 % errors are ~10 failures.
export default defineScenario({
  name: 'staging-api',
  description: 'API read and write paths of the AI Film Studio, as viewer and editor',
  // The AI Film Studio's JSON login: POST {username, password} → {token}.
  login: { path: '/api/login' },
  setup: [
    { name: 'create load project', method: 'POST', path: '/api/projects', role: 'editor', body: { title: 'pdv load {{runId}}' }, capture: { projectId: 'id' } },
  ],
  scenarios: {
    api: {
      executor: 'constant-arrival-rate',
      rate: 40,
      timeUnit: '1s',
      duration: '8s',
      maxInFlight: 200,
      connections: 16,
      requests: [
        { name: 'list projects', weight: 5, method: 'GET', path: '/api/projects', role: 'viewer' },
        { name: 'get project', weight: 3, method: 'GET', path: '/api/projects/{{setup.projectId}}', role: 'viewer' },
        { name: 'me', weight: 1, method: 'GET', path: '/api/me', role: 'editor' },
        { name: 'create project', weight: 1, method: 'POST', path: '/api/projects', role: 'editor', body: { title: 'pdv load {{runId}}' } },
        {
          name: 'upload script',
          weight: 1,
          method: 'POST',
          path: '/api/projects/{{setup.projectId}}/script',
          role: 'editor',
          headers: { 'content-type': 'text/plain' },
          body: 'INT. STUDIO - NIGHT\nA load test walks in.\n',
        },
      ],
    },
  },
  thresholds: {
    'http_req_duration{expected_response:true}': ['p(95)<300', 'p(99)<700'],
    'http_req_duration{name:list projects}': ['p(95)<250'],
    http_req_failed: ['rate<0.01'],
    dropped_iterations: ['count<20'],
  },
});
