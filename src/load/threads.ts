import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { prerollMs, runEngine, type EngineOptions, type EngineResult } from './engine.ts';
import type { AbortInfo, EnginePlan } from './plan.ts';
import { Recorder } from './recorder.ts';
import { peakRatePerSecond, stripeFor } from './schedule.ts';

// Runs the plan on one thread or several. Worker threads each take a stripe
// of the schedule; their histograms are added exactly at the end. An abort
// in one worker (error rate, abortOnFail) is relayed to all.

export interface RunOptions {
  /** Number of engine threads; 'auto' uses one per ~20 000 req/s, up to the cores minus one. */
  workers: number | 'auto';
  segment?: { index: number; total: number };
  /** Epoch ms at which the schedule starts (`--start-at`: one instant for every segment); default: as soon as warmed up. */
  startAtMs?: number;
  signal?: AbortSignal;
  onProgress?: EngineOptions['onProgress'];
}

export interface RunResult {
  recorder: Recorder;
  elapsedMs: number;
  workers: number;
  /** Epoch ms of the schedule's start. */
  startEpochMs: number;
  abort?: AbortInfo;
}

// One engine thread keeps 20 000 req/s on time with room to spare (perf/bench/load-engine.ts).
const PER_THREAD_RATE = 20_000;

/** Threads share each scenario's connections, so no more threads than the smallest pool. */
export function chooseWorkers(plan: EnginePlan, workers: number | 'auto', segmentTotal = 1): number {
  const most = Math.min(...plan.scenarios.map((s) => s.spec.connections));
  if (workers !== 'auto') return Math.max(1, Math.min(most, Math.floor(workers)));
  const rate = plan.scenarios.reduce((a, s) => a + peakRatePerSecond(s.spec), 0) / segmentTotal;
  return Math.max(1, Math.min(most, availableParallelism() - 1, Math.ceil(rate / PER_THREAD_RATE)));
}

/**
 * Worker `w` of `n`: its share of every scenario's connections and in-flight cap, so the threads
 * together open the configured connections (what the caps checked), not n times as many.
 */
export function planForWorker(plan: EnginePlan, w: number, n: number): EnginePlan {
  const share = (total: number): number => Math.max(1, Math.floor(total / n) + (w < total % n ? 1 : 0));
  return { ...plan, scenarios: plan.scenarios.map((s) => ({ ...s, spec: { ...s.spec, connections: share(s.spec.connections), maxInFlight: share(s.spec.maxInFlight) } })) };
}

export async function runPlan(plan: EnginePlan, opts: RunOptions): Promise<RunResult> {
  const n = chooseWorkers(plan, opts.workers, opts.segment?.total);
  if (n === 1) {
    const r = await runEngine(plan, { stripe: stripeFor(opts.segment), ...pick(opts), ...(opts.startAtMs !== undefined ? { startEpochMs: opts.startAtMs } : {}) });
    return { recorder: Recorder.from([r.snapshot], plan.windowMs), elapsedMs: r.elapsedMs, workers: 1, startEpochMs: r.startEpochMs, ...(r.abort ? { abort: r.abort } : {}) };
  }
  return runWorkers(plan, n, opts);
}

function pick(opts: RunOptions): Pick<EngineOptions, 'signal' | 'onProgress'> {
  return { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) };
}

// Compiled (dist/, the installed package) the worker is plain JavaScript beside this file. From the
// sources it is TypeScript: register tsx inside the thread whatever loader the parent used (tsx CLI,
// vitest); tsx is resolved from here, not from the cwd (eval'd code resolves bare names against the cwd).
const COMPILED = import.meta.url.endsWith('.js');
const TSX_API = COMPILED ? '' : pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
const BOOT = COMPILED
  ? `import(${JSON.stringify(new URL('./worker.js', import.meta.url).href)})`
  : `import(${JSON.stringify(TSX_API)}).then((m) => { m.register(); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); })`;

async function runWorkers(plan: EnginePlan, n: number, opts: RunOptions): Promise<RunResult> {
  const workers: Worker[] = [];
  const results: EngineResult[] = [];
  let abort: AbortInfo | undefined;
  let startEpochMs = 0;
  const progress = new Map<number, { elapsedMs: number; sent: number; completed: number; dropped: number; inFlight: number }>();
  try {
    const ready: Array<Promise<void>> = [];
    const done: Array<Promise<void>> = [];
    for (let w = 0; w < n; w++) {
      const worker = new Worker(BOOT, { eval: true, workerData: { plan: planForWorker(plan, w, n), stripe: stripeFor(opts.segment, w, n) } });
      workers.push(worker);
      let onReady: () => void = () => undefined;
      ready.push(new Promise<void>((r) => (onReady = r)));
      done.push(
        new Promise<void>((resolve, reject) => {
          worker.on('message', (m: { type: string; result?: EngineResult; info?: AbortInfo; message?: string; progress?: { elapsedMs: number; sent: number; completed: number; dropped: number; inFlight: number } }) => {
            if (m.type === 'ready') onReady();
            else if (m.type === 'result' && m.result) {
              results.push(m.result);
              resolve();
            } else if (m.type === 'error') reject(new Error(`load worker ${w}: ${m.message}`));
            else if (m.type === 'abort' && m.info && !abort) {
              abort = m.info;
              for (const other of workers) other.postMessage({ type: 'abort', info: m.info });
            } else if (m.type === 'progress' && m.progress && opts.onProgress) {
              progress.set(w, m.progress);
              const all = [...progress.values()];
              opts.onProgress({
                elapsedMs: Math.max(...all.map((p) => p.elapsedMs)),
                sent: sum(all, 'sent'),
                completed: sum(all, 'completed'),
                dropped: sum(all, 'dropped'),
                inFlight: sum(all, 'inFlight'),
              });
            }
          });
          worker.once('error', reject);
          worker.once('exit', (code) => (code !== 0 ? reject(new Error(`load worker ${w} exited with ${code}`)) : undefined));
        }),
      );
    }
    await Promise.all(ready);
    // Slack for each worker's warm-up (connections, then its engine warm-up) before the shared clock starts.
    startEpochMs = opts.startAtMs ?? Date.now() + 1000 + prerollMs(plan, stripeFor(opts.segment, 0, n));
    const onSignal = (): void => {
      for (const w of workers) w.postMessage({ type: 'abort', info: opts.signal?.reason });
    };
    opts.signal?.addEventListener('abort', onSignal, { once: true });
    for (const w of workers) w.postMessage({ type: 'start', startEpochMs });
    try {
      await Promise.all(done);
    } finally {
      opts.signal?.removeEventListener('abort', onSignal);
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const recorder = Recorder.from(results.map((r) => r.snapshot), plan.windowMs);
  const own = results.find((r) => r.abort)?.abort;
  const first = abort ?? own;
  return { recorder, elapsedMs: Math.max(...results.map((r) => r.elapsedMs)), workers: n, startEpochMs, ...(first ? { abort: first } : {}) };
}

function sum<T extends Record<string, number>>(xs: T[], k: keyof T): number {
  return xs.reduce((a, x) => a + (x[k] as number), 0);
}
