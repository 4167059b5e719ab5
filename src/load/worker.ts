import { parentPort, workerData } from 'node:worker_threads';
import { runEngine } from './engine.ts';
import type { EnginePlan } from './plan.ts';
import type { Stripe } from './schedule.ts';

// One engine per worker thread; the parent sends `start` (a shared epoch) and
// may send `abort`; the worker answers with its encoded histograms.

interface Data {
  plan: EnginePlan;
  stripe: Stripe;
}

const port = parentPort;
if (port) {
  const { plan, stripe } = workerData as Data;
  const ac = new AbortController();
  port.on('message', (m: { type: string; startEpochMs?: number; info?: unknown }) => {
    if (m.type === 'abort') ac.abort(m.info);
    if (m.type === 'start') {
      runEngine(plan, {
        stripe,
        ...(m.startEpochMs !== undefined ? { startEpochMs: m.startEpochMs } : {}),
        signal: ac.signal,
        onAbort: (info) => port.postMessage({ type: 'abort', info }),
        onProgress: (p) => port.postMessage({ type: 'progress', progress: p }),
      }).then(
        (result) => port.postMessage({ type: 'result', result }),
        (err: unknown) => port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
      );
    }
  });
  port.postMessage({ type: 'ready' });
}
