// How the AI Film Studio answers, for pdv's target model (docs/target.md): the
// demo and the real staging environments describe the same app this way.

export const AI_FILM_STUDIO = {
  // JSON login: POST /api/login {username, password} → {token, user: {id}} (+ a `sid` cookie).
  auth: { type: 'json' as const, url: '/api/login', tokenPath: 'token', userIdPath: 'user.id' },
  // /health: 200 {status:"ok"} when ready, 503 {status:"starting"} while warming, {status:"down"} when broken.
  health: {
    path: '/health',
    ready: { status: 200, json: { status: 'ok' } },
    warming: { status: 503, json: { status: 'starting' } },
    down: { json: { status: 'down' } },
  },
  // Read by this repo's smoke specs (tests/smoke/api.spec.ts).
  vars: { integrationPath: '/api/integrations/salesforce' },
};
