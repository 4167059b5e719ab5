import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { skipWithoutRedis } from '../e2e/helpers/redis.ts';
import { registryDir } from '../src/platform/reaper.ts';
import { startDemoRedis } from './redis-server.ts';

describe.skipIf(skipWithoutRedis())('the demo cache (a real redis-server)', () => {
  it('answers at its URL, is registered for reaping while it runs, and stop() leaves nothing', async () => {
    const owned = (): string => {
      const dir = registryDir();
      if (!existsSync(dir)) return '';
      return readdirSync(dir).filter((f) => f.startsWith(`${process.pid}-`)).map((f) => readFileSync(join(dir, f), 'utf8')).join();
    };
    const redis = await startDemoRedis();
    const client = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    try {
      expect(await client.ping()).toBe('PONG');
      expect(owned()).toContain('demo redis-server');
    } finally {
      client.disconnect();
      await redis.stop();
      await redis.stop(); // twice is fine: every path out calls it
    }
    expect(() => process.kill(redis.pid, 0)).toThrow();
    expect(owned()).not.toContain('demo redis-server');
  });
});
