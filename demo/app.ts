import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Server, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { LoginLimiter, Sessions } from './auth.ts';
import { startLeak, startStall, type Stopper } from './chaos.ts';
import type { DemoContext, FlagsFile, Release } from './context.ts';
import { makeStartupBackup } from './backup.ts';
import { MIGRATIONS_DIR, migrate, openDb } from './db.ts';
import { FaultSet } from './faults.ts';
import { openAppLog, startAppLog } from './applog.ts';
import { openCache } from './cache.ts';
import { DemoLog, errorFields, type Level } from './log.ts';
import { DemoMetrics } from './metrics.ts';
import { seed } from './seed.ts';
import { buildServer } from './server.ts';
import { selfSignedCert } from './tls.ts';
import { RenderWorker } from './worker.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface DemoOptions {
  port: number;
  host: string;
  faults: string[];
  version?: string;
  dataDir?: string;
  /** Take the startup ("nightly") backup + manifest into this folder (demo/backup.ts). */
  backupDir?: string;
  httpsPort?: number;
  /** Also write the log as JSON lines to this file, with a steady flow of normal lines (demo/applog.ts). */
  logFile?: string;
  env: NodeJS.ProcessEnv;
}

export interface RunningDemo { baseUrl: string; apiUrl: string; httpsUrl?: string; version: string; close(): Promise<void> }

export function readRelease(): Release {
  return JSON.parse(readFileSync(path.join(HERE, 'release.json'), 'utf8')) as Release;
}

function readFlags(): FlagsFile {
  return JSON.parse(readFileSync(path.join(HERE, 'flags.staging.json'), 'utf8')) as FlagsFile;
}

const urlOf = (scheme: 'http' | 'https', server: Server | HttpsServer): string => {
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return `${scheme}://${host}:${addr.port}`;
};

/** Opens the database, migrates, seeds, starts the worker and the listeners. */
export async function startApp(o: DemoOptions): Promise<RunningDemo> {
  const faults = new FaultSet(o.faults);
  const file = o.logFile ? openAppLog(o.logFile) : undefined;
  const tee = file ? (line: string): void => { process.stderr.write(line); file.write(line); } : undefined;
  const log = new DemoLog((o.env.DEMO_LOG_LEVEL as Level | undefined) ?? 'info', tee);
  const release = readRelease();
  const t0 = Date.now();
  const phases: Record<string, number> = {};
  const mark = (name: string): void => { phases[name] = Date.now() - t0; };
  const version = faults.has('stale-version') ? release.previousVersion : (o.version ?? release.version);
  const db = await openDb({ databaseUrl: o.env.DATABASE_URL || undefined, dataDir: o.dataDir, env: o.env });
  mark('db');
  const stoppers: Stopper[] = [];
  try {
    const applied = await migrate(db, MIGRATIONS_DIR, { skipNewest: faults.has('migration-behind') ? 1 : 0 });
    mark('migrate');
    for (const secret of await seed(db, o.env)) log.addSecret(secret);
    mark('seed');
    if (o.backupDir) await makeStartupBackup(db, { dir: o.backupDir, faults, databaseUrl: o.env.DATABASE_URL || undefined });
    const metrics = new DemoMetrics({ version, commit: release.commit, alarm: faults.has('alarm-firing') });
    const worker = new RenderWorker({
      db, metrics,
      renderMs: Number(o.env.DEMO_RENDER_MS ?? 2500),
      stuckAt: faults.has('render-stuck') ? 42 : undefined,
      onError: (err) => log.warn('render worker tick failed', errorFields(err)),
    });
    const ctx: DemoContext = {
      db, faults, metrics, log, release, worker, env: o.env,
      sessions: new Sessions(), limiter: new LoginLimiter(5, 60_000),
      reportedVersion: version, flags: readFlags(), readyAt: Date.now(), flakySeen: new Set(),
    };
    const app = await buildServer(ctx);
    const track = (socket: Socket): void => {
      metrics.openConnections.inc();
      socket.once('close', () => metrics.openConnections.dec());
    };
    app.server.on('connection', track);
    await app.listen({ port: o.port, host: o.host });
    let https: HttpsServer | undefined;
    if (o.httpsPort !== undefined) {
      const mode = faults.has('expired-cert') ? 'expired' : faults.has('cert-expiring') ? 'expiring' : 'valid';
      const { key, cert } = await selfSignedCert(mode);
      // Same fastify routing (hooks, routes, state) behind a second, TLS listener.
      https = createHttpsServer({ key, cert }, (req, res) => app.routing(req, res));
      https.on('connection', track);
      await new Promise<void>((resolve, reject) => {
        https?.once('error', reject);
        https?.listen(o.httpsPort, o.host, () => resolve());
      });
    }
    mark('listen');
    worker.start();
    const cache = o.env.REDIS_URL ? openCache(o.env.REDIS_URL, log) : undefined;
    if (cache) {
      const timer = setInterval(() => cache.touch(), 1000);
      timer.unref();
      stoppers.push({ stop: () => { clearInterval(timer); void cache.close(); } });
    }
    if (file) stoppers.push(startAppLog(file, { version, previousVersion: release.previousVersion, newErrors: faults.has('new-errors') }));
    if (faults.has('stall')) stoppers.push(startStall(5000, 1000));
    if (faults.has('memory-leak')) stoppers.push(startLeak(Number(o.env.DEMO_LEAK_BYTES_PER_SEC ?? 2 * 1024 * 1024), Number(o.env.DEMO_LEAK_MAX_BYTES ?? 1024 ** 3)));
    ctx.readyAt = Date.now();
    const baseUrl = urlOf('http', app.server);
    const httpsUrl = https ? urlOf('https', https) : undefined;
    log.info('demo listening', { baseUrl, httpsUrl, version, faults: faults.list(), db: db.kind, migrationsApplied: applied, startupMs: phases });
    let closed = false;
    return {
      baseUrl, apiUrl: baseUrl, httpsUrl, version,
      async close() {
        if (closed) return;
        closed = true;
        for (const s of stoppers) s.stop();
        if (https) {
          https.closeAllConnections();
          await new Promise<void>((r) => https?.close(() => r()));
        }
        app.server.closeAllConnections();
        await app.close();
        await worker.stop();
        await db.close();
        file?.close();
      },
    };
  } catch (err) {
    for (const s of stoppers) s.stop();
    await db.close().catch(() => undefined);
    file?.close();
    throw err;
  }
}
