import { Redis } from 'ioredis';
import type { DemoLog } from './log.ts';

// The demo's cache client (REDIS_URL): the render queue's last poll is kept
// there. Best effort, as many apps treat their cache: a failed write is
// logged once, never fails a request, and /health does not look at it —
// which is why pdv probes the cache directly (stages.smoke.dependencies).

export interface DemoCache {
  touch(): void;
  close(): Promise<void>;
}

export function openCache(url: string, log: DemoLog): DemoCache {
  const redis = new Redis(url, { lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 1000 });
  let warned = false;
  redis.on('error', (err: Error) => {
    if (warned) return;
    warned = true;
    log.warn('cache unavailable', { err: err.message });
  });
  return {
    touch() {
      redis.set('demo:render-queue:polled', String(Date.now())).then(() => (warned = false), () => undefined);
    },
    async close() {
      redis.disconnect();
    },
  };
}
