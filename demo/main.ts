// The demo's CLI: `node --import tsx demo/main.ts --port 0 [--fault NAME]…`.
// stdout carries exactly one JSON ready line; logs go to stderr.
import { parseArgs } from 'node:util';
import { FAULTS, unknownFaults } from './faults.ts';
import { startApp, type RunningDemo } from './app.ts';

function usage(msg: string): never {
  process.stderr.write(`demo: ${msg}\nknown faults: ${Object.keys(FAULTS).join(', ')}\n`);
  process.exit(2);
}

function portArg(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) usage(`--${name} must be a port number (0 for any free port), got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        fault: { type: 'string', multiple: true, default: [] },
        version: { type: 'string' },
        'data-dir': { type: 'string' },
        'backup-dir': { type: 'string' },
        'https-port': { type: 'string' },
        'log-file': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  const faults = values.fault.flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean);
  const bad = unknownFaults(faults);
  if (bad.length) usage(`unknown fault: ${bad.join(', ')}`);

  const state: { demo?: RunningDemo } = {};
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'shutting down', signal }) + '\n');
    const hard = setTimeout(() => process.exit(1), 5000);
    hard.unref();
    void (state.demo?.close() ?? Promise.resolve()).then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // Set by demo/launch.ts: no orphaned demo when the parent dies without running its exit hook (SIGKILL, crash).
  const parentPid = Number(process.env.DEMO_PARENT_PID);
  if (Number.isInteger(parentPid) && parentPid > 0) {
    setInterval(() => {
      try {
        process.kill(parentPid, 0);
      } catch {
        shutdown('parent-gone');
      }
    }, 1000).unref();
  }
  process.on('SIGINT', () => shutdown('SIGINT'));

  const demo = await startApp({
    port: portArg('port', values.port) ?? 0,
    host: values.host,
    faults,
    version: values.version,
    dataDir: values['data-dir'],
    backupDir: values['backup-dir'],
    httpsPort: portArg('https-port', values['https-port']),
    logFile: values['log-file'],
    env: process.env,
  });
  state.demo = demo;
  const ready = { event: 'ready', baseUrl: demo.baseUrl, apiUrl: demo.apiUrl, ...(demo.httpsUrl ? { httpsUrl: demo.httpsUrl } : {}), pid: process.pid, version: demo.version, ...(values['backup-dir'] ? { backupDir: values['backup-dir'] } : {}) };
  process.stdout.write(JSON.stringify(ready) + '\n');
  if (stopping) await demo.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
