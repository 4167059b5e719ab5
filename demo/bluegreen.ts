// Blue-green for the demo: the previous release (blue) and the new one
// (green, with the faults) run side by side behind one loopback proxy URL.
// Green is live; `POST /__switch {"to":"blue"}` (Bearer token from
// DEMO_SWITCH_TOKEN) flips all new requests to blue — which is what the demo's
// rollback command (demo/switch-back.ts) does.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { rollbackConfigSchema } from '../src/actions/config.ts';
import type { ResolvedConfig } from '../src/config/types.ts';
import { startDemo, type DemoHandle, type StartDemoOptions } from './launch.ts';

export type Color = 'blue' | 'green';

export interface BlueGreenOptions {
  faults: string[];
  /** Env for both demo processes (user passwords …); DEMO_SWITCH_TOKEN is read from here, then process.env. */
  env?: Record<string, string>;
  /** Further options for the green (new) release: HTTPS, a startup backup … */
  green?: Pick<StartDemoOptions, 'https' | 'backupDir' | 'dataDir'>;
}

export interface BlueGreen {
  /** The one URL clients use. */
  baseUrl: string;
  apiUrl: string;
  active(): Color;
  /** How many times the switch endpoint changed or confirmed the live color. */
  switches(): number;
  blue: { baseUrl: string; version: string };
  green: { baseUrl: string; version: string; httpsUrl?: string };
  /** A fresh deploy id per start, so each demo run may roll back once. */
  deployId: string;
  /** Env the rollback command needs: DEMO_SWITCH_URL, DEMO_SWITCH_TOKEN (a secret). */
  switchEnv: Record<string, string>;
  stop(): Promise<void>;
}

const release = JSON.parse(readFileSync(fileURLToPath(new URL('./release.json', import.meta.url)), 'utf8')) as { version: string; previousVersion: string };

/** The rollback config the demo uses with blue-green (cwd: the demo folder, where its pdv.config.ts lives). */
export function blueGreenRollback(): { actions: Array<{ type: 'command'; name: string; command: string[]; timeout: number; retries: number }>; verify: { previousVersion: string; versionPath: string; timeout: number; interval: number } } {
  return {
    actions: [{ type: 'command', name: 'switch-to-blue', command: [process.execPath, '--import', 'tsx', fileURLToPath(new URL('./switch-back.ts', import.meta.url)), 'blue'], timeout: 15_000, retries: 2 }],
    verify: { previousVersion: release.previousVersion, versionPath: '/version', timeout: 30_000, interval: 250 },
  };
}

/**
 * Point a resolved demo config at a running blue-green pair: a fresh deploy id,
 * the switch-back rollback, the switch token as a secret. The token and URL go
 * into `environ` (process.env for the CLI), which the rollback command inherits.
 */
export function useBlueGreenRollback(config: ResolvedConfig, bg: BlueGreen, environ: NodeJS.ProcessEnv = process.env): void {
  Object.assign(environ, bg.switchEnv);
  config.deployId = bg.deployId;
  config.environment = {
    ...config.environment,
    rollback: rollbackConfigSchema.parse(blueGreenRollback()),
    secretEnv: [...new Set([...config.environment.secretEnv, 'DEMO_SWITCH_TOKEN'])],
  };
}

export async function startBlueGreen(opts: BlueGreenOptions): Promise<BlueGreen> {
  const env = opts.env ?? {};
  const token = env.DEMO_SWITCH_TOKEN || process.env.DEMO_SWITCH_TOKEN || randomBytes(18).toString('base64url');
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const started = await Promise.allSettled([
      startDemo({ faults: [], env, version: release.previousVersion }),
      startDemo({ ...opts.green, faults: opts.faults, env, version: release.version }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') stops.push(() => s.value.stop());
    const [blue, green] = started.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    }) as [DemoHandle, DemoHandle];
    const upstream: Record<Color, string> = { blue: blue.baseUrl, green: green.baseUrl };
    let active: Color = 'green';
    let switches = 0;
    const agent = new Agent({ keepAlive: true });
    const server = createServer((req, res) => {
      if (req.url === '/__switch' || req.url?.startsWith('/__switch?')) return handleSwitch(req, res, token, (to) => ((active = to), switches++), () => active);
      proxy(req, res, upstream[active], agent);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          agent.destroy();
          server.close(() => resolve());
        }),
    );
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      baseUrl,
      apiUrl: baseUrl,
      active: () => active,
      switches: () => switches,
      blue: { baseUrl: blue.baseUrl, version: release.previousVersion },
      green: { baseUrl: green.baseUrl, version: release.version, ...(green.httpsUrl ? { httpsUrl: green.httpsUrl } : {}) },
      deployId: `demo-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
      switchEnv: { DEMO_SWITCH_URL: `${baseUrl}/__switch`, DEMO_SWITCH_TOKEN: token },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function handleSwitch(req: IncomingMessage, res: ServerResponse, token: string, set: (c: Color) => void, get: () => Color): void {
  const reply = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  };
  if (req.method === 'GET') return reply(200, { active: get() });
  if (req.method !== 'POST') return reply(405, { error: 'POST {"to":"blue"|"green"}' });
  const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return reply(401, { error: 'bad or missing switch token' });
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (raw = (raw + c).slice(0, 1_000)));
  req.on('end', () => {
    let to: unknown;
    try {
      to = (JSON.parse(raw) as { to?: unknown }).to;
    } catch {
      /* answered below */
    }
    if (to !== 'blue' && to !== 'green') return reply(400, { error: 'body must be {"to":"blue"|"green"}' });
    const from = get();
    set(to);
    reply(200, { active: to, previous: from });
  });
}

function proxy(req: IncomingMessage, res: ServerResponse, target: string, agent: Agent): void {
  const url = new URL(req.url ?? '/', target);
  const upstream = request(
    url,
    { method: req.method, headers: { ...req.headers, 'x-forwarded-host': req.headers.host ?? '', 'x-forwarded-proto': 'http' }, agent },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `upstream: ${err.message}` }));
    else res.destroy(err);
  });
  req.pipe(upstream);
}
