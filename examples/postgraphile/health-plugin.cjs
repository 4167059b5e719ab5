// A PostGraphile 4 server plugin: GET /healthz answers {"status":"ok"} once the
// database answers (503 otherwise), for load balancers and pdv. Load it with
// `postgraphile --plugins /abs/path/health-plugin.cjs …` (it must be the first
// option, and a path that Node's require() finds).
'use strict';

module.exports = {
  'postgraphile:http:handler'(req, { options, res }) {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/healthz') return req;
    const answer = (status, body) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.setHeader('cache-control', 'no-store');
      res.end(JSON.stringify(body));
    };
    options.pgPool.query('select 1').then(
      () => answer(200, { status: 'ok', version: process.env.FORUM_VERSION ?? 'dev' }),
      () => answer(503, { status: 'down', reason: 'database' }),
    );
    // null: this request is answered here, not by PostGraphile.
    return null;
  },
};
