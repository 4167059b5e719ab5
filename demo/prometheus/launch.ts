import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerOwned } from '../../src/platform/reaper.ts';

// Starts a real Prometheus (Debian's /usr/bin/prometheus) on a free loopback
// port, scraping one target every `intervalMs`, with the demo's alert rules,
// in a temp storage folder that stop() removes. Used by the e2e tests and by
// `pdv demo` when the binary is installed.

const HERE = dirname(fileURLToPath(import.meta.url));
export const PROMETHEUS_BIN = process.env.PDV_PROMETHEUS_BIN ?? '/usr/bin/prometheus';

export interface StartPrometheusOptions {
  /** The target's metrics URL, e.g. http://127.0.0.1:4312/metrics. */
  target: string;
  intervalMs?: number;
  job?: string;
  /** Alert rules file (default demo/prometheus/alerts.yml). */
  rulesFile?: string;
  bin?: string;
  /** How long to wait for /-/ready (default 20 s). */
  readyTimeoutMs?: number;
}

export interface RunningPrometheus {
  url: string;
  pid: number;
  dir: string;
  /** Wait until the target has been scraped `up == 1` (or `0` when expectUp is false) and rules evaluated. */
  waitForScrape(opts?: { expectUp?: boolean; timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
  /** Prometheus's own log (stderr), for failing tests. */
  log(): string;
}

export function prometheusAvailable(bin = PROMETHEUS_BIN): boolean {
  return existsSync(bin);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function seconds(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

export async function renderConfig(opts: StartPrometheusOptions, rulesFile: string): Promise<string> {
  const url = new URL(opts.target);
  const template = await readFile(join(HERE, 'prometheus.yml'), 'utf8');
  const values: Record<string, string> = {
    INTERVAL: seconds(opts.intervalMs ?? 1000),
    JOB: opts.job ?? 'target',
    SCHEME: url.protocol.replace(':', ''),
    METRICS_PATH: JSON.stringify(url.pathname || '/metrics'),
    TARGET: url.host,
    RULES_FILE: JSON.stringify(rulesFile),
    INSECURE: String(url.protocol === 'https:'),
  };
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, k: string) => values[k] ?? '');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after a grace: the child is gone when this resolves. */
export async function terminate(c: ChildProcess, graceMs = 5000): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGTERM');
  const killed = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!killed) {
    c.kill('SIGKILL');
    await exited;
  }
}

export async function startPrometheus(opts: StartPrometheusOptions): Promise<RunningPrometheus> {
  const bin = opts.bin ?? PROMETHEUS_BIN;
  if (!existsSync(bin)) throw new Error(`Prometheus binary not found at ${bin} (apt-get install prometheus, or set PDV_PROMETHEUS_BIN)`);
  const dir = await mkdtemp(join(tmpdir(), 'pdv-prom-'));
  // Recorded so that a later pdv removes them if this process is killed -9 (src/platform/reaper.ts).
  const owned = [registerOwned({ dir, what: 'Prometheus storage' })];
  let child: ChildProcess | undefined;
  let stderr = '';
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c) await terminate(c);
    await rm(dir, { recursive: true, force: true });
    for (const off of owned.splice(0)) off();
  };
  try {
    const rulesFile = opts.rulesFile ?? join(HERE, 'alerts.yml');
    await writeFile(join(dir, 'prometheus.yml'), await renderConfig(opts, rulesFile));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawn(
      bin,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', '--web.enable-lifecycle'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    if (child.pid) owned.push(registerOwned({ pid: child.pid, what: 'Prometheus' }));
    child.stderr?.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-20_000);
    });
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
    for (;;) {
      if (!child || child.exitCode !== null) throw new Error(`prometheus exited (${child?.exitCode}): ${stderr.slice(-2000)}`);
      const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`prometheus not ready after ${opts.readyTimeoutMs ?? 20_000} ms: ${stderr.slice(-2000)}`);
      await sleep(100);
    }
    const pid = child.pid ?? 0;
    return {
      url,
      pid,
      dir,
      stop,
      log: () => stderr,
      async waitForScrape({ expectUp = true, timeoutMs = 20_000 } = {}) {
        const until = Date.now() + timeoutMs;
        let seenAt: number | undefined;
        for (;;) {
          const up = await fetch(`${url}/api/v1/query?query=up`).then((r) => r.json() as Promise<{ data?: { result?: Array<{ value: [number, string] }> } }>, () => undefined);
          const v = up?.data?.result?.[0]?.value[1];
          if (seenAt === undefined && v === (expectUp ? '1' : '0')) seenAt = Date.now();
          if (seenAt !== undefined) {
            // Rules must have been evaluated after that scrape, or an alert reads "inactive" on stale data.
            const rules = await fetch(`${url}/api/v1/rules?type=alert`).then((r) => r.json() as Promise<{ data?: { groups?: Array<{ rules: Array<{ lastEvaluation?: string }> }> } }>, () => undefined);
            const evaluated = (rules?.data?.groups ?? []).every((g) => g.rules.every((r) => Date.parse(r.lastEvaluation ?? '') > seenAt! + 50));
            if (evaluated) return;
          }
          if (Date.now() > until) throw new Error(`target not scraped as ${expectUp ? 'up' : 'down'} within ${timeoutMs} ms (up=${v ?? 'none'})`);
          await sleep(200);
        }
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
