import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';

// Loopback servers that misbehave on purpose, for the engine's tests and
// benchmarks. The stall server runs in a child process: its freezes must not
// freeze the load generator measuring it.

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

export type Behaviour = (req: { url: string; n: number }) => { status?: number; delayMs?: number };

export async function startServer(behaviour: Behaviour = () => ({})): Promise<TestServer> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    const b = behaviour({ url: req.url ?? '/', n: n++ });
    const send = (): void => {
      res.writeHead(b.status ?? 200, { 'content-type': 'text/plain' });
      res.end('ok');
    };
    req.resume();
    if (b.delayMs) setTimeout(send, b.delayMs);
    else send();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const STALL_SOURCE = `
const http = require('node:http');
const [freezeMs, everyMs] = process.argv.slice(1).map(Number);
const server = http.createServer((req, res) => { req.resume(); res.end('ok'); });
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n');
  setInterval(() => { const end = Date.now() + freezeMs; while (Date.now() < end) {} }, everyMs);
});
`;

/** A server whose whole process freezes for `freezeMs` every `everyMs` (like the demo's `stall` fault). */
export async function startStallServer(freezeMs: number, everyMs: number): Promise<TestServer> {
  const child: ChildProcess = spawn(process.execPath, ['-e', STALL_SOURCE, String(freezeMs), String(everyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`stall server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    },
  };
}
