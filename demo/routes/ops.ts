import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { effectiveFlags, type DemoContext } from '../context.ts';

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'public');
const STATIC: Record<string, { file: string; type: string }> = {
  'app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  'app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  'favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

/** /health, /version, /metrics, flags, the integration probe, static assets. */
export function registerOpsRoutes(app: FastifyInstance, ctx: DemoContext): void {
  const { faults } = ctx;
  const slowStartMs = Number(ctx.env.DEMO_SLOW_START_MS ?? 4000);
  const assets = new Map(Object.entries(STATIC).map(([name, s]) => [name, { body: readFileSync(path.join(PUBLIC_DIR, s.file)), type: s.type }]));

  app.get('/health', async (_req, reply) => {
    reply.header('Cache-Control', 'no-store');
    if (faults.has('slow-start')) {
      const left = ctx.readyAt + slowStartMs - Date.now();
      if (left > 0) return reply.code(503).header('Retry-After', String(Math.max(1, Math.ceil(left / 1000)))).send({ status: 'starting' });
    }
    let database: 'ok' | 'down' = 'ok';
    try {
      await ctx.db.query('select 1 as ok');
    } catch {
      database = 'down';
    }
    if (faults.has('health-down')) database = 'down';
    const worker: 'ok' | 'down' = ctx.worker.healthy() ? 'ok' : 'down';
    const ok = database === 'ok' && worker === 'ok';
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'down', checks: { database, worker } });
  });

  app.get('/version', async (_req, reply) => {
    reply.header('Cache-Control', 'no-store');
    return { version: ctx.reportedVersion, commit: ctx.release.commit, builtAt: ctx.release.builtAt };
  });

  app.get('/metrics', async (_req, reply) => {
    if (faults.has('metrics-down')) return reply.code(503).type('text/plain; charset=utf-8').send('metrics unavailable\n');
    const body = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(body);
  });

  app.get('/api/flags', async () => effectiveFlags(ctx));

  app.get('/api/integrations/salesforce', async (_req, reply) => {
    if (faults.has('integration-down')) return reply.code(503).send({ status: 'down', error: 'sandbox unreachable' });
    // Simulated sandbox round trip.
    const latencyMs = 15 + Math.floor(Math.random() * 20);
    await new Promise((r) => setTimeout(r, latencyMs));
    return { status: 'ok', latencyMs };
  });

  if (faults.has('exposed-env')) {
    app.get('/.env', async (_req, reply) => reply.type('text/plain; charset=utf-8').send(
      'NODE_ENV=staging\nDATABASE_URL=postgres://studio:fake-db-password-1234@db.internal:5432/studio\nSECRET_KEY=fake-secret-key-0123456789abcdef\nSALESFORCE_CLIENT_SECRET=fake-sf-secret-9876\n',
    ));
  }

  app.get('/static/:name', async (req, reply) => {
    const asset = assets.get((req.params as { name: string }).name);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    return reply.type(asset.type).header('Cache-Control', 'public, max-age=300').send(asset.body);
  });
  app.get('/favicon.ico', async (_req, reply) => {
    const icon = assets.get('favicon.svg');
    return reply.type('image/svg+xml').header('Cache-Control', 'public, max-age=86400').send(icon?.body);
  });
  app.get('/robots.txt', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('User-agent: *\nDisallow: /\n'));
}
