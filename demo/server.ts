import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { DemoContext } from './context.ts';
import { EveryNth, sleep } from './chaos.ts';
import { errorFields } from './log.ts';
import { registerOpsRoutes } from './routes/ops.ts';
import { registerApiRoutes } from './routes/api.ts';
import { registerUiRoutes } from './routes/ui.ts';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url ?? 'unmatched';
}

/** Builds the fastify app: hooks for headers, faults and metrics, then the routes. */
export async function buildServer(ctx: DemoContext): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024, trustProxy: false });
  await app.register(cookie);
  await app.register(formbody);
  await app.register(multipart, { limits: { fileSize: 1024 * 1024, files: 1 } });

  const { faults } = ctx;
  const errorBurst = new EveryNth(33);
  const driftPerSec = Number(ctx.env.DEMO_DRIFT_MS_PER_SEC ?? 5);

  app.addHook('onRequest', async (req, reply) => {
    (req as FastifyRequest & { startNs?: bigint }).startNs = process.hrtime.bigint();
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'strict-origin-when-cross-origin');
    reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    reply.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    if (!faults.has('missing-security-headers')) {
      reply.header('Content-Security-Policy', CSP);
      reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
      reply.header('X-Frame-Options', 'DENY');
    }
    const origin = req.headers.origin;
    if (faults.has('cors-credentials-wildcard') && origin) {
      reply.header('Access-Control-Allow-Origin', origin);
      reply.header('Access-Control-Allow-Credentials', 'true');
      reply.header('Vary', 'Origin');
      if (req.method === 'OPTIONS') {
        reply.header('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS');
        reply.header('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? 'content-type, authorization');
        return reply.code(204).send();
      }
    }
    if (req.url.startsWith('/api/')) {
      if (faults.has('latency-drift') && driftPerSec > 0) {
        const upSec = (Date.now() - ctx.readyAt) / 1000;
        await sleep(Math.min(30_000, upSec * driftPerSec));
      }
      if (faults.has('error-burst') && errorBurst.hit()) {
        return reply.code(500).type('application/json; charset=utf-8').send({ error: 'internal error (injected: error-burst)' });
      }
    }
    return undefined;
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = routeOf(req);
    const startNs = (req as FastifyRequest & { startNs?: bigint }).startNs;
    const seconds = startNs ? Number(process.hrtime.bigint() - startNs) / 1e9 : reply.elapsedTime / 1000;
    ctx.metrics.requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    ctx.metrics.duration.observe({ route, method: req.method }, seconds);
  });

  app.setErrorHandler((err, req, reply) => {
    const status = typeof (err as { statusCode?: unknown }).statusCode === 'number' ? (err as { statusCode: number }).statusCode : 500;
    if (status >= 500) ctx.log.error('request failed', { route: routeOf(req), ...errorFields(err) });
    return reply.code(status).type('application/json; charset=utf-8').send({ error: status >= 500 ? 'internal error' : (err as Error).message });
  });

  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/')) return reply.code(404).type('application/json; charset=utf-8').send({ error: 'not found' });
    return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
  });

  registerOpsRoutes(app, ctx);
  registerApiRoutes(app, ctx);
  registerUiRoutes(app, ctx);
  return app;
}
