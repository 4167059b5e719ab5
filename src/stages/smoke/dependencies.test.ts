import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutRedis, startRedis, type TestRedis } from '../../../e2e/helpers/redis.ts';
import { makeStageContext, removeStageDirs } from '../../../e2e/helpers/stage-context.ts';
import { UsageError } from '../../core/errors.ts';
import { smokeStage } from './index.ts';

// stages.smoke.dependencies inside the smoke stage: probed after readiness,
// before the declared HTTP checks, and refused at plan time without a URL.

afterAll(removeStageDirs);

describe.skipIf(skipWithoutRedis())('smoke stage with a direct Redis probe', () => {
  let redis: TestRedis;
  let app: Server;
  let baseUrl: string;
  beforeAll(async () => {
    redis = await startRedis();
    app = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'ok' })); // /health says ok whatever the cache does
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await redis?.stop();
    await new Promise((r) => app?.close(r));
  });

  const stageCtx = (redisUrl: string | undefined) =>
    makeStageContext({
      target: { environment: 'staging', baseUrl },
      config: { stages: { smoke: { testDir: undefined, dependencies: [{ type: 'redis', name: 'cache' }], checks: [{ id: 'home', path: '/' }] } } },
    }).then((ctx) => {
      if (redisUrl) ctx.settings.runtime.redisUrl = redisUrl;
      return ctx;
    });

  it('runs smoke.dependency.cache after readiness and before the declared checks', async () => {
    const ctx = await stageCtx(redis.url);
    await smokeStage.run(ctx);
    expect(ctx.checks.map((c) => [c.id, c.status])).toEqual([
      ['smoke.readiness', 'passed'],
      ['smoke.dependency.cache', 'passed'],
      ['smoke.home', 'passed'],
    ]);
  });

  it('fails the dependency while /health still says ok, when the cache is down', async () => {
    const dead = await startRedis();
    const url = dead.url;
    await dead.stop();
    const ctx = await stageCtx(url);
    await smokeStage.run(ctx);
    const byId = Object.fromEntries(ctx.checks.map((c) => [c.id, c]));
    expect(byId['smoke.readiness']?.status).toBe('passed');
    expect(byId['smoke.dependency.cache']?.status).toBe('failed');
    expect(byId['smoke.dependency.cache']?.severity).toBe('critical');
  });

  it('refuses at plan time when REDIS_URL is not set', async () => {
    const ctx = await stageCtx(undefined);
    const plan = smokeStage.plan!({ config: ctx.config, settings: ctx.settings, target: ctx.target, secrets: new Map(), imports: [], planned: ['smoke'] });
    await expect(plan).rejects.toBeInstanceOf(UsageError);
    await expect(plan).rejects.toThrow(/stages\.smoke\.dependencies\.0\.urlEnv: .*REDIS_URL/);
  });
});
