import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The demo's Prometheus metrics (own registry: no global state). */
export class DemoMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'] as const, registers: [this.registry] });
  readonly duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route', 'method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly renderJobs = new Counter({ name: 'render_jobs_total', help: 'Render job state transitions by new status', labelNames: ['status'] as const, registers: [this.registry] });
  readonly openConnections = new Gauge({ name: 'demo_open_connections', help: 'Open TCP connections (HTTP and HTTPS)', registers: [this.registry] });
  readonly alarm = new Gauge({ name: 'demo_alarm_condition', help: '1 while the demo raises its alarm condition (fault alarm-firing), else 0', registers: [this.registry] });
  readonly buildInfo = new Gauge({ name: 'demo_build_info', help: 'Build information; value is always 1', labelNames: ['version', 'commit'] as const, registers: [this.registry] });
  readonly workerHeartbeat = new Gauge({ name: 'demo_worker_heartbeat_timestamp_seconds', help: 'Last render worker tick (unix seconds)', registers: [this.registry] });

  constructor(opts: { version: string; commit: string; alarm: boolean }) {
    collectDefaultMetrics({ register: this.registry });
    this.alarm.set(opts.alarm ? 1 : 0);
    this.buildInfo.set({ version: opts.version, commit: opts.commit }, 1);
    for (const s of ['queued', 'running', 'done', 'failed']) this.renderJobs.inc({ status: s }, 0);
  }
}
