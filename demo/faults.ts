// The demo's fault registry. A fault is injected with `--fault NAME` (repeatable).
// App faults are wired in the server; faults owned by other areas (DR: backups,
// migrations) are one more entry here with their own `area` and are read by
// that area's code through `hasFault()`.

export type FaultArea = 'app' | 'security' | 'tls' | 'metrics' | 'dr' | 'uat' | 'deps';

export interface FaultInfo {
  /** What the deployment does wrong while the fault is on. */
  readonly description: string;
  readonly area: FaultArea;
  /** The pdv stage expected to notice it. */
  readonly detectedBy: 'smoke' | 'uat' | 'load' | 'security' | 'dr' | 'metrics' | 'soak';
}

export const FAULTS = {
  'health-down': { area: 'app', detectedBy: 'smoke', description: 'GET /health answers 503 {status:"down",checks:{database:"down",worker:"ok"}} forever; the rest still serves.' },
  'stale-version': { area: 'app', detectedBy: 'smoke', description: 'GET /version (and demo_build_info) report previousVersion from demo/release.json.' },
  'flag-drift': { area: 'app', detectedBy: 'smoke', description: 'The experimental flag "ai-voiceover-beta" is enabled on staging (disabled in demo/flags.production.json).' },
  'slow-start': { area: 'app', detectedBy: 'smoke', description: 'GET /health answers 503 {status:"starting"} with Retry-After for the first DEMO_SLOW_START_MS (default 4000 ms), then 200.' },
  'integration-down': { area: 'app', detectedBy: 'smoke', description: 'GET /api/integrations/salesforce answers 503 {status:"down"}.' },
  'broken-login': { area: 'uat', detectedBy: 'uat', description: 'The UI login form\'s submit button does nothing (type="button", no implicit submit); POST /api/login still works.' },
  'render-stuck': { area: 'app', detectedBy: 'uat', description: 'Render jobs go to running and stay there at 42% forever.' },
  'flaky-ui': { area: 'uat', detectedBy: 'uat', description: 'The first GET /projects/:id of each project id per server process renders without the render button and with a page-error banner; later loads are fine.' },
  'viewer-can-write': { area: 'security', detectedBy: 'uat', description: 'A viewer\'s POST /api/projects is accepted (201).' },
  'slow-api': { area: 'app', detectedBy: 'load', description: 'GET /api/projects takes 300 ms longer.' },
  'error-burst': { area: 'app', detectedBy: 'load', description: 'Every 33rd /api/* request (process-wide counter) answers 500 (~3%).' },
  'stall': { area: 'app', detectedBy: 'load', description: 'The event loop is busy-blocked for 1 s every 5 s (the whole process freezes).' },
  'missing-security-headers': { area: 'security', detectedBy: 'security', description: 'No Content-Security-Policy, Strict-Transport-Security or X-Frame-Options headers.' },
  'weak-session-cookie': { area: 'security', detectedBy: 'security', description: 'The sid cookie is set without Secure and without HttpOnly.' },
  'exposed-env': { area: 'security', detectedBy: 'security', description: 'GET /.env answers 200 text/plain with DATABASE_URL=… and SECRET_KEY=… lines (fake values).' },
  'cors-credentials-wildcard': { area: 'security', detectedBy: 'security', description: 'Any Origin is reflected in Access-Control-Allow-Origin with Access-Control-Allow-Credentials: true (preflights too).' },
  'no-rate-limit': { area: 'security', detectedBy: 'security', description: 'Failed logins never get 429.' },
  'expired-cert': { area: 'tls', detectedBy: 'security', description: 'The HTTPS certificate expired yesterday (notAfter in the past).' },
  'cert-expiring': { area: 'tls', detectedBy: 'security', description: 'The HTTPS certificate is valid for 5 more days only.' },
  'memory-leak': { area: 'metrics', detectedBy: 'soak', description: 'Retained memory grows by DEMO_LEAK_BYTES_PER_SEC (default 2 MiB/s, capped by DEMO_LEAK_MAX_BYTES, default 1 GiB): process_resident_memory_bytes and nodejs_heap_size_used_bytes rise.' },
  'latency-drift': { area: 'metrics', detectedBy: 'soak', description: '/api/* latency grows with uptime by DEMO_DRIFT_MS_PER_SEC (default 5 ms per second of uptime, capped at 30 s).' },
  'alarm-firing': { area: 'metrics', detectedBy: 'metrics', description: '/metrics exposes demo_alarm_condition 1 (0 normally); alert rule: demo_alarm_condition > 0. (5xx are always visible as http_requests_total{status=~"5.."}.)' },
  'metrics-down': { area: 'metrics', detectedBy: 'metrics', description: 'GET /metrics answers 503.' },
  'new-errors': { area: 'metrics', detectedBy: 'metrics', description: 'From the start on, the app log (--log-file) carries "TypeError: Cannot read properties of undefined (reading \'thumbnailUrl\') in render job N" once a second, an exception the previous release never logged.' },
  'migration-behind': { area: 'deps', detectedBy: 'smoke', description: 'The deploy never ran the release\'s newest migration (demo/migrations): the live database\'s schema_migrations stops one short; the app and /health work as before. Needs DATABASE_URL (a real PostgreSQL the harness can reach; PGlite has no server to probe).' },
  'cache-down': { area: 'deps', detectedBy: 'smoke', description: 'The demo\'s cache (the redis-server `pdv demo` starts at REDIS_URL) is stopped once the app is up; GET /health does not look at the cache and still answers ok. Needs redis-server.' },
  'corrupt-backup': { area: 'dr', detectedBy: 'dr', description: 'The startup backup archive is truncated to 60% (its manifest keeps the full size and sha256).' },
  'stale-backup': { area: 'dr', detectedBy: 'dr', description: 'The startup backup is dated 3 days ago (file mtime and manifest), older than the RPO target.' },
  'migration-mismatch': { area: 'dr', detectedBy: 'dr', description: 'The backed-up database is one migration behind the release (its newest schema_migrations row is missing).' },
  'missing-rows': { area: 'dr', detectedBy: 'dr', description: 'The backup lost the newest row of the critical table projects (the manifest holds the live counts).' },
} as const satisfies Record<string, FaultInfo>;

export type FaultName = keyof typeof FAULTS;

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

/** Validates fault names; returns the unknown ones (the CLI exits 2 on any). */
export function unknownFaults(names: readonly string[]): string[] {
  return names.filter((n) => !isFaultName(n));
}

export class FaultSet {
  private readonly names: ReadonlySet<FaultName>;
  constructor(names: readonly string[]) {
    const bad = unknownFaults(names);
    if (bad.length) throw new Error(`unknown fault(s): ${bad.join(', ')}`);
    this.names = new Set(names as FaultName[]);
  }
  has(name: FaultName): boolean {
    return this.names.has(name);
  }
  list(): FaultName[] {
    return [...this.names];
  }
}
