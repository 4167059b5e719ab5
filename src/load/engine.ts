import { rootCertificates } from 'node:tls';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { evaluateThreshold } from './evaluate.ts';
import { recordUs } from './histogram.ts';
import type { AbortInfo, EnginePlan, PreparedRequest, PreparedScenario } from './plan.ts';
import { Recorder, type Cell, type RecorderSnapshot } from './recorder.ts';
import { ErrorRateWindow } from './safety.ts';
import { arrivals, chooseIndex, cumulativeWeights, type Stripe } from './schedule.ts';
import { aggLabel } from './thresholds.ts';

// Open-model engine for one thread. Each arrival has an intended start time
// from the schedule; latency is measured from it (corrected) and from the
// moment undici writes the request to a socket (uncorrected). The engine
// never waits for a response before sending the next request, so a stalled
// server shows in the corrected tail instead of slowing the load down.

export interface EngineOptions {
  stripe: Stripe;
  /** Epoch ms at which arrival offset 0 happens (shared by all threads). */
  startEpochMs?: number;
  signal?: AbortSignal;
  /** Called when this engine stops itself (error rate, abortOnFail). */
  onAbort?: (info: AbortInfo) => void;
  onProgress?: (p: { elapsedMs: number; sent: number; completed: number; dropped: number; inFlight: number }) => void;
}

export interface EngineResult {
  snapshot: RecorderSnapshot;
  elapsedMs: number;
  abort?: AbortInfo;
}

const nowUs = (): number => (performance.timeOrigin + performance.now()) * 1000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const immediate = (): Promise<void> => new Promise((r) => setImmediate(r));

function fill(path: string, k: number): string {
  return path.includes('{{i}}') ? path.split('{{i}}').join(String(k)) : path;
}

export async function runEngine(plan: EnginePlan, opts: EngineOptions): Promise<EngineResult> {
  const rec = new Recorder(plan.windowMs);
  // Set once warm-up is done (a shared epoch when several threads run).
  let t0Us = (opts.startEpochMs ?? Date.now() + 5) * 1000;
  const errWin = new ErrorRateWindow(plan.abort.windowMs, plan.abort.errorRate, plan.abort.minRequests);
  const pools = new Map<string, Pool>();
  let inFlight = 0;
  let completed = 0;
  let stopped = false;
  let destroying = false;
  let abort: AbortInfo | undefined;
  let drained: (() => void) | undefined;

  const stop = (info: AbortInfo, self: boolean): void => {
    if (stopped) return;
    stopped = true;
    abort = info;
    if (self) opts.onAbort?.(info);
  };
  const onSignal = (): void => {
    const r: unknown = opts.signal?.reason;
    const passed = r && typeof r === 'object' && 'kind' in r ? (r as AbortInfo) : undefined;
    stop(passed ?? { kind: 'signal', reason: `load interrupted: ${r instanceof Error ? r.message : String(r ?? 'aborted')}`, atMs: (nowUs() - t0Us) / 1000 }, false);
    drained?.();
  };
  if (opts.signal?.aborted) onSignal();
  opts.signal?.addEventListener('abort', onSignal, { once: true });

  const poolFor = (sc: PreparedScenario, origin: string): Pool => {
    const key = `${sc.name} ${origin}`;
    let p = pools.get(key);
    if (!p) {
      p = new Pool(origin, {
        connections: sc.spec.connections,
        pipelining: 1,
        headersTimeout: plan.requestTimeoutMs,
        bodyTimeout: plan.requestTimeoutMs,
        connectTimeout: plan.requestTimeoutMs,
        keepAliveTimeout: 10_000,
        ...(plan.ca?.length ? { connect: { ca: [...rootCertificates, ...plan.ca] } } : {}),
      });
      pools.set(key, p);
    }
    return p;
  };

  const fire = (sc: PreparedScenario, req: PreparedRequest, cellOk: Cell, cellFail: Cell, k: number, tUs: number): void => {
    const intendedUs = t0Us + tUs;
    const sendUs = nowUs();
    recordUs(rec.sendLag, Math.max(0, sendUs - intendedUs));
    inFlight++;
    rec.sent++;
    if (sendUs < rec.firstSendUs) rec.firstSendUs = sendUs;
    rec.lastSendUs = sendUs;
    let writeUs = sendUs;
    let status = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      inFlight--;
      completed++;
      // Requests cut off by our own teardown say nothing about the target.
      if (!destroying) {
        const end = nowUs();
        const ok = status >= 200 && status < 400;
        rec.record(ok ? cellOk : cellFail, status, end - intendedUs, end - writeUs, tUs);
        errWin.add(end / 1000, !ok);
      }
      if (inFlight === 0) drained?.();
    };
    // Legacy handler hooks: measurably cheaper per request than the controller API.
    // onConnect runs when undici writes the request to a socket.
    const handler: Dispatcher.DispatchHandler = {
      onConnect() {
        writeUs = nowUs();
      },
      onHeaders(statusCode) {
        status = statusCode;
        return true;
      },
      onData() {
        return true;
      },
      onComplete() {
        finish();
      },
      onError() {
        status = 0;
        finish();
      },
    };
    try {
      poolFor(sc, req.origin).dispatch(
        { method: req.method as Dispatcher.HttpMethod, path: fill(req.path, k), headers: req.headers, ...(req.body !== undefined ? { body: fill(req.body, k) } : {}) },
        handler,
      );
    } catch {
      finish();
    }
  };

  const loop = async (sc: PreparedScenario): Promise<void> => {
    const cum = cumulativeWeights(sc.weights);
    const cells = sc.requests.map((r) => [rec.cell(sc.name, r.name, r.method, true), rec.cell(sc.name, r.name, r.method, false)] as const);
    let burst = 0;
    for (const a of arrivals(sc.spec, opts.stripe)) {
      for (;;) {
        if (stopped) return;
        const wait = t0Us + a.tUs - nowUs();
        if (wait <= 0) break;
        burst = 0;
        // Coarse sleep, then spin on setImmediate for the last millisecond.
        if (wait > 2000) await sleep((wait - 1000) / 1000);
        else await immediate();
      }
      const i = chooseIndex(a.k, cum);
      const req = sc.requests[i] as PreparedRequest;
      rec.planned++;
      if (inFlight >= sc.spec.maxInFlight) rec.drop(sc.name, req.name);
      else {
        const [ok, fail] = cells[i] as readonly [Cell, Cell];
        fire(sc, req, ok, fail, a.k, a.tUs);
      }
      // Let responses be processed during a burst of due arrivals.
      if (++burst >= 32) {
        burst = 0;
        await immediate();
      }
    }
  };

  const monitor = setInterval(() => {
    const elapsedMs = (nowUs() - t0Us) / 1000;
    if (elapsedMs < 0 || stopped) return;
    const e = errWin.check(nowUs() / 1000);
    if (e) stop({ kind: 'error-rate', reason: e, atMs: elapsedMs }, true);
    for (const t of plan.thresholds) {
      if (stopped || !t.abortOnFail || elapsedMs < t.delayAbortEvalMs) continue;
      const r = evaluateThreshold(t, rec, elapsedMs);
      if (r.ok === false) {
        stop(
          {
            kind: 'threshold',
            threshold: `${t.key} ${t.expr}`,
            reason: `threshold ${t.key} ${t.expr} failed with ${aggLabel(t.agg)}=${r.observed} ${r.unit} at ${(elapsedMs / 1000).toFixed(1)} s; abortOnFail stopped the load early`,
            atMs: elapsedMs,
          },
          true,
        );
      }
    }
    const dropped = [...rec.dropped.values()].reduce((a, b) => a + b, 0);
    opts.onProgress?.({ elapsedMs, sent: rec.sent, completed, dropped, inFlight });
  }, 250);

  try {
    await warmUp(plan, poolFor);
    t0Us = (opts.startEpochMs ?? Date.now() + 5) * 1000;
    const wait0 = t0Us / 1000 - Date.now();
    if (wait0 > 0) await sleep(wait0);
    await Promise.all(plan.scenarios.map(loop));
    // Let the last responses arrive (bounded by the request timeout) unless stopped.
    if (inFlight > 0 && !stopped) {
      await Promise.race([new Promise<void>((r) => (drained = r)), sleep(plan.requestTimeoutMs + 1000)]);
    }
  } finally {
    clearInterval(monitor);
    opts.signal?.removeEventListener('abort', onSignal);
    destroying = stopped;
    const closing = [...pools.values()].map((p) => (stopped ? p.destroy() : p.close()).catch(() => undefined));
    await Promise.all(closing);
  }
  const elapsedMs = Math.max(1, (nowUs() - t0Us) / 1000);
  return { snapshot: rec.snapshot(), elapsedMs, ...(abort ? { abort } : {}) };
}

/**
 * One unrecorded request per pool before the clock starts: undici compiles its
 * HTTP parser (WASM) on first use, a pause that would otherwise land in the
 * first second's latencies as if the target had stalled.
 */
async function warmUp(plan: EnginePlan, poolFor: (sc: PreparedScenario, origin: string) => Pool): Promise<void> {
  const jobs: Array<Promise<void>> = [];
  const seen = new Set<string>();
  for (const sc of plan.scenarios) {
    for (const req of sc.requests) {
      const key = `${sc.name} ${req.origin}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const probe = sc.requests.find((r) => r.origin === req.origin && (r.method === 'GET' || r.method === 'HEAD')) ?? req;
      jobs.push(
        poolFor(sc, req.origin)
          .request({ method: probe.method === 'HEAD' ? 'HEAD' : 'GET', path: fill(probe.path, 0), headers: probe.headers })
          .then((r) => r.body.dump())
          .then(
            () => undefined,
            () => undefined,
          ),
      );
    }
  }
  await Promise.all(jobs);
}
