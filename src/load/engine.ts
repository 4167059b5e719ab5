import { rootCertificates } from 'node:tls';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { evaluateThreshold } from './evaluate.ts';
import { GeneratorMonitor } from './generator.ts';
import { recordUs } from './histogram.ts';
import type { AbortInfo, EnginePlan, PreparedRequest, PreparedScenario } from './plan.ts';
import { Recorder, type Cell, type RecorderSnapshot } from './recorder.ts';
import { ErrorRateWindow } from './safety.ts';
import { ArrivalCursor, chooseIndex, cumulativeWeights, startRatePerSecond, takeDue, type Stripe } from './schedule.ts';
import type { ExecutorSpec } from './scenario.ts';
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
  /** Epoch ms of arrival offset 0 (the schedule's start; shared by segments started with --start-at). */
  startEpochMs: number;
  abort?: AbortInfo;
}

const nowUs = (): number => (performance.timeOrigin + performance.now()) * 1000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** At most this many due arrivals of one scenario go out per scheduler tick before responses get a turn. */
const MAX_BATCH = 256;
/** Engine warm-up before the clock (see `preroll`): only at rates where unoptimised code cannot keep up. */
const PREROLL_MS = 1000;
const PREROLL_MIN_RATE = 2000;
/** Time kept between the end of the warm-up's schedule and the clock's start, for its answers. */
const PREROLL_SLACK_MS = 300;

/** Warm-up length for this stripe of the plan: 0 below PREROLL_MIN_RATE req/s at the start of the schedule. */
export function prerollMs(plan: EnginePlan, stripe: Stripe): number {
  const rate = plan.scenarios.reduce((a, sc) => a + startRatePerSecond(sc.spec), 0) / stripe.step;
  return rate >= PREROLL_MIN_RATE ? PREROLL_MS + PREROLL_SLACK_MS : 0;
}

/** The only template left in a prepared request: the arrival index. */
const TEMPLATE = '{{i}}';

function fill(path: string, k: number): string {
  return path.split(TEMPLATE).join(String(k));
}

interface LaneRequest {
  req: PreparedRequest;
  ok: Cell;
  fail: Cell;
  pool: Pool;
  /** Dispatch options, built once when nothing in the request depends on the arrival index. */
  opts: Dispatcher.DispatchOptions | undefined;
  /** Otherwise its path (and body) split once at `{{i}}`: per arrival only a join, no search. */
  path: string[];
  body: string[] | undefined;
  dropKey: [string, string];
  /** Where its results go: the run's recorder, or the warm-up's scratch one (`live` false). */
  rec: Recorder;
  live: boolean;
}

interface Lane {
  cursor: ArrivalCursor;
  /** Sends arrival `k` (bound once per lane: no closure per arrival). */
  fire: (k: number, tUs: number) => void;
  cum: number[];
  maxInFlight: number;
  requests: LaneRequest[];
}

/** Dispatch options of arrival `k` (`{{i}}` replaced by `k`). */
function dispatchOptions(lr: Pick<LaneRequest, 'req' | 'path' | 'body'>, k: number): Dispatcher.DispatchOptions {
  const method = lr.req.method as Dispatcher.HttpMethod;
  const i = String(k);
  const path = lr.path.length === 1 ? (lr.path[0] as string) : lr.path.join(i);
  if (lr.body === undefined) return { method, path, headers: lr.req.headers };
  return { method, path, headers: lr.req.headers, body: lr.body.length === 1 ? lr.body[0] : lr.body.join(i) };
}

/** One request in flight: its own undici handler (legacy hooks, no wrapper, no closures). */
class Flight implements Dispatcher.DispatchHandler {
  writeUs: number;
  status = 0;
  done = false;
  constructor(
    private readonly eng: Engine,
    readonly lane: LaneRequest,
    readonly intendedUs: number,
    readonly tUs: number,
    sendUs: number,
  ) {
    this.writeUs = sendUs;
  }
  // Runs when undici writes the request to a socket: the start of the uncorrected latency.
  onConnect(): void {
    this.writeUs = nowUs();
  }
  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }
  onData(): boolean {
    return true;
  }
  onComplete(): void {
    this.eng.finish(this);
  }
  onError(): void {
    this.status = 0;
    this.eng.finish(this);
  }
}

export async function runEngine(plan: EnginePlan, opts: EngineOptions): Promise<EngineResult> {
  const eng = new Engine(plan, opts);
  return eng.run();
}

class Engine {
  readonly rec: Recorder;
  /** Epoch µs of arrival offset 0; set once warm-up is done (a shared epoch when several threads run). */
  t0Us: number;
  private readonly errWin: ErrorRateWindow;
  private readonly pools = new Map<string, Pool>();
  private lanes: Lane[] = [];
  private prerolling = false;
  private inFlight = 0;
  private completed = 0;
  private droppedN = 0;
  private stopped = false;
  private destroying = false;
  private abort: AbortInfo | undefined;
  private drained: (() => void) | undefined;
  private scheduled: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly plan: EnginePlan,
    private readonly opts: EngineOptions,
  ) {
    this.rec = new Recorder(plan.windowMs);
    this.t0Us = (opts.startEpochMs ?? Date.now() + 5) * 1000;
    this.errWin = new ErrorRateWindow(plan.abort.windowMs, plan.abort.errorRate, plan.abort.minRequests);
  }

  async run(): Promise<EngineResult> {
    const { plan, opts } = this;
    const onSignal = (): void => {
      const r: unknown = opts.signal?.reason;
      const passed = r && typeof r === 'object' && 'kind' in r ? (r as AbortInfo) : undefined;
      this.stop(passed ?? { kind: 'signal', reason: `load interrupted: ${r instanceof Error ? r.message : String(r ?? 'aborted')}`, atMs: (nowUs() - this.t0Us) / 1000 }, false);
    };
    if (opts.signal?.aborted) onSignal();
    opts.signal?.addEventListener('abort', onSignal, { once: true });
    const monitor = setInterval(() => this.monitor(), 250);
    let startEpochMs = opts.startEpochMs ?? Date.now();
    try {
      const probes = await warmUp(plan, (sc, origin) => this.poolFor(sc, origin));
      startEpochMs = opts.startEpochMs ?? Date.now() + 5 + prerollMs(plan, opts.stripe);
      // A target already failing the connection probes gets no warm-up load: the run itself records it and aborts.
      if (probes.healthy * 2 >= probes.sent) await this.preroll(startEpochMs);
      this.prerolling = false;
      this.lanes = plan.scenarios.map((sc) => this.lane(sc, sc.spec, this.rec, true));
      await this.schedule(startEpochMs * 1000, plan.requestTimeoutMs + 1000, new GeneratorMonitor(this.rec.loopDelay));

    } finally {
      clearInterval(monitor);
      clearTimeout(this.timer);
      opts.signal?.removeEventListener('abort', onSignal);
      this.destroying = this.stopped;
      const closing = [...this.pools.values()].map((p) => (this.stopped ? p.destroy() : p.close()).catch(() => undefined));
      await Promise.all(closing);
    }
    const elapsedMs = Math.max(1, (nowUs() - this.t0Us) / 1000);
    return { snapshot: this.rec.snapshot(), elapsedMs, startEpochMs, ...(this.abort ? { abort: this.abort } : {}) };
  }

  /**
   * The engine's own warm-up, before the clock: its scheduler, handlers and undici run the
   * scenario's starting rate for up to PREROLL_MS, with the scenario's reads only, recorded into
   * a scratch recorder that is thrown away. Code that has not been optimised yet is the harness's latency: unwarmed, the
   * first second at tens of thousands of req/s queues in the engine as if the target were slow.
   */
  private async preroll(startEpochMs: number): Promise<void> {
    const ms = Math.min(prerollMs(this.plan, this.opts.stripe), startEpochMs - Date.now() - PREROLL_SLACK_MS);
    if (ms < 100 || this.stopped) return;
    const scratch = new Recorder(this.plan.windowMs);
    this.lanes = this.plan.scenarios.map((sc) => {
      const rate = startRatePerSecond(sc.spec);
      const spec: ExecutorSpec = { ...sc.spec, executor: 'constant-arrival-rate', rate, timeUnit: 1000, duration: ms, startTime: 0 } as ExecutorSpec;
      // Reads only: the warm-up must not create anything on the target (a write becomes a GET of its path).
      const reads = sc.requests.map((r, i) => [r, sc.weights[i] ?? 1] as const).filter(([r]) => r.method === 'GET' || r.method === 'HEAD');
      const first = sc.requests[0] as PreparedRequest;
      const { body: _body, ...asGet } = first;
      const requests = reads.length ? reads.map(([r]) => r) : [{ ...asGet, method: 'GET' }];
      return this.lane({ ...sc, requests, weights: reads.length ? reads.map(([, w]) => w) : [1] }, spec, scratch, false);
    });
    this.prerolling = true;
    await this.schedule(nowUs() + 1000, PREROLL_SLACK_MS);
  }

  /** Runs the lanes' schedule from `t0Us`, then waits (at most `drainMs`) for the answers; `health` watches the generator meanwhile. */
  private async schedule(t0Us: number, drainMs: number, health?: GeneratorMonitor): Promise<void> {
    this.t0Us = t0Us;
    const wait0 = t0Us / 1000 - Date.now();
    if (wait0 > 0 && !this.stopped) await sleep(wait0);
    health?.start();
    try {
      await this.runLanes(drainMs);
    } finally {
      const h = health?.stop();
      if (h) {
        this.rec.busyUs += h.busyUs;
        this.rec.wallUs += h.wallUs;
        this.rec.maxBusy = Math.max(this.rec.maxBusy, h.wallUs > 0 ? h.busyUs / h.wallUs : 0);
      }
    }
  }

  private async runLanes(drainMs: number): Promise<void> {
    await new Promise<void>((r) => {
      this.scheduled = r;
      this.tick();
    });
    // Let the last responses arrive (bounded by the request timeout) unless stopped.
    if (this.inFlight > 0 && !this.stopped) {
      await Promise.race([new Promise<void>((r) => (this.drained = r)), sleep(drainMs)]);
    }
    this.drained = undefined;
  }

  private stop(info: AbortInfo, self: boolean): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abort = info;
    if (self) this.opts.onAbort?.(info);
    // Wake a sleeping scheduler and a drain wait: a stopped run ends now.
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      setImmediate(this.tick);
    }
    this.drained?.();
  }

  private poolFor(sc: PreparedScenario, origin: string): Pool {
    const key = `${sc.name} ${origin}`;
    let p = this.pools.get(key);
    if (!p) {
      const plan = this.plan;
      p = new Pool(origin, {
        connections: sc.spec.connections,
        pipelining: 1,
        headersTimeout: plan.requestTimeoutMs,
        bodyTimeout: plan.requestTimeoutMs,
        connectTimeout: plan.requestTimeoutMs,
        keepAliveTimeout: 10_000,
        ...(plan.ca?.length ? { connect: { ca: [...rootCertificates, ...plan.ca] } } : {}),
      });
      this.pools.set(key, p);
    }
    return p;
  }

  private lane(sc: PreparedScenario, spec: ExecutorSpec, rec: Recorder, live: boolean): Lane {
    const lane: Lane = {
      cursor: new ArrivalCursor(spec, this.opts.stripe),
      fire: (k, tUs) => this.arrive(lane, k, tUs),
      cum: cumulativeWeights(sc.weights),
      maxInFlight: sc.spec.maxInFlight,
      requests: sc.requests.map((req) => {
        const path = req.path.split(TEMPLATE);
        const body = req.body?.split(TEMPLATE);
        const templated = path.length > 1 || (body?.length ?? 0) > 1;
        return {
          req,
          ok: rec.cell(sc.name, req.name, req.method, true),
          fail: rec.cell(sc.name, req.name, req.method, false),
          pool: this.poolFor(sc, req.origin),
          opts: templated ? undefined : dispatchOptions({ req, path, body }, 0),
          path,
          body,
          dropKey: [sc.name, req.name] as [string, string],
          rec,
          live,
        };
      }),
    };
    return lane;
  }

  // The scheduler: each tick sends every arrival that is due (at most MAX_BATCH per scenario), then
  // sleeps on a timer until the next one is due. Nothing spins: a thread with nothing due is idle, so
  // the generator's CPU follows the rate. Timers are ms-precise, so an arrival may go out up to about
  // a millisecond after its intended start; it keeps that intended start (corrected latency stays
  // exact) and the lateness is recorded as send lag. Only a full batch (the engine is behind) or an
  // arrival already due comes back at once, through setImmediate, so responses get their turn.
  private readonly tick = (): void => {
    this.timer = undefined;
    const t0 = this.t0Us;
    let next = Infinity;
    let behind = false;
    if (!this.stopped) {
      const now = nowUs() - t0;
      for (const lane of this.lanes) {
        const c = lane.cursor;
        if (takeDue(c, now, MAX_BATCH, lane.fire) === MAX_BATCH) behind = true;
        if (!c.done && c.tUs < next) next = c.tUs;
      }
    }
    if (next === Infinity || this.stopped) {
      this.scheduled?.();
      this.scheduled = undefined;
      return;
    }
    const wait = next - (nowUs() - t0);
    if (behind || wait <= 0) setImmediate(this.tick);
    else this.timer = setTimeout(this.tick, Math.ceil(wait / 1000));
  };

  private arrive(lane: Lane, k: number, tUs: number): void {
    const lr = lane.requests.length === 1 ? (lane.requests[0] as LaneRequest) : (lane.requests[chooseIndex(k, lane.cum)] as LaneRequest);
    const rec = lr.rec;
    rec.planned++;
    if (this.inFlight >= lane.maxInFlight) {
      rec.drop(lr.dropKey[0], lr.dropKey[1]);
      if (lr.live) this.droppedN++;
      return;
    }
    const intendedUs = this.t0Us + tUs;
    const sendUs = nowUs();
    recordUs(rec.sendLag, sendUs > intendedUs ? sendUs - intendedUs : 0);
    this.inFlight++;
    rec.sent++;
    if (sendUs < rec.firstSendUs) rec.firstSendUs = sendUs;
    rec.lastSendUs = sendUs;
    const f = new Flight(this, lr, intendedUs, tUs, sendUs);
    try {
      lr.pool.dispatch(lr.opts ?? dispatchOptions(lr, k), f);
    } catch {
      this.finish(f);
    }
  }

  finish(f: Flight): void {
    if (f.done) return;
    f.done = true;
    this.inFlight--;
    const lr = f.lane;
    // Requests cut off by our own teardown say nothing about the target.
    if (!this.destroying) {
      const end = nowUs();
      const ok = f.status >= 200 && f.status < 400;
      lr.rec.record(ok ? lr.ok : lr.fail, f.status, end - f.intendedUs, end - f.writeUs, f.tUs);
      if (lr.live) {
        this.completed++;
        this.errWin.add(end / 1000, !ok);
      }
    }
    if (this.inFlight === 0) this.drained?.();
  }

  private monitor(): void {
    const elapsedMs = (nowUs() - this.t0Us) / 1000;
    if (elapsedMs < 0 || this.stopped || this.prerolling) return;
    const e = this.errWin.check(nowUs() / 1000);
    if (e) this.stop({ kind: 'error-rate', reason: e, atMs: elapsedMs }, true);
    for (const t of this.plan.thresholds) {
      if (this.stopped || !t.abortOnFail || elapsedMs < t.delayAbortEvalMs) continue;
      const r = evaluateThreshold(t, this.rec, elapsedMs);
      if (r.ok === false) {
        this.stop(
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
    this.opts.onProgress?.({ elapsedMs, sent: this.rec.sent, completed: this.completed, dropped: this.droppedN, inFlight: this.inFlight });
  }
}

/**
 * Before the clock starts, every pool opens all its connections, each with one
 * unrecorded request (connections open concurrently). A cold pool would
 * otherwise queue the first second's arrivals behind TCP/TLS handshakes, and
 * undici compiles its HTTP parser (WASM) on first use: both are the harness's
 * latency, not the target's.
 */
async function warmUp(plan: EnginePlan, poolFor: (sc: PreparedScenario, origin: string) => Pool): Promise<{ sent: number; healthy: number }> {
  const jobs: Array<Promise<number>> = [];
  const seen = new Set<string>();
  let sent = 0;
  for (const sc of plan.scenarios) {
    for (const req of sc.requests) {
      const key = `${sc.name} ${req.origin}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const probe = sc.requests.find((r) => r.origin === req.origin && (r.method === 'GET' || r.method === 'HEAD')) ?? req;
      sent += sc.spec.connections;
      jobs.push(openAll(poolFor(sc, req.origin), sc.spec.connections, { method: probe.method === 'HEAD' ? 'HEAD' : 'GET', path: fill(probe.path, 0), headers: probe.headers }));
    }
  }
  const healthy = await Promise.all(jobs);
  return { sent, healthy: healthy.reduce((a, b) => a + b, 0) };
}

/** `n` concurrent requests on a pipelining-1 pool: each needs its own connection, so the pool opens `n`. Returns how many were answered below 500. */
async function openAll(pool: Pool, n: number, probe: Dispatcher.RequestOptions): Promise<number> {
  // A failed probe (target down, refused) is no reason to stop here: the run itself records the errors.
  const one = (): Promise<number> =>
    pool.request(probe).then(
      async (r) => {
        await r.body.dump();
        return r.statusCode < 500 ? 1 : 0;
      },
      () => 0,
    );
  return (await Promise.all(Array.from({ length: n }, one))).reduce((a, b) => a + b, 0);

}
