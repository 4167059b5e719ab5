import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../demo/prometheus/launch.ts';
import { assertBinary, missingBinary } from './binaries.ts';
import { startServerProcess } from './server-process.ts';

// A real nginx for tests: a generated config in a temp folder (prefix, pid
// file, error log and temp paths all inside it), one server on a free
// loopback port serving `root`, plus any extra server-block text (locations,
// headers, proxy_pass…). Runs in the foreground (`daemon off;`); stop()
// ends it and removes the folder.

export const NGINX_BIN = process.env.PDV_NGINX_BIN ?? '/usr/sbin/nginx';
const INSTALL = 'apt-get install nginx, or set PDV_NGINX_BIN';

export function nginxAvailable(bin = NGINX_BIN): boolean {
  return existsSync(bin);
}

/** For `describe.skipIf(…)`: fails the suite on CI when nginx is missing (see binaries.ts). */
export function skipWithoutNginx(): boolean {
  return missingBinary('nginx', nginxAvailable(), INSTALL);
}

export interface StartNginxOptions {
  /** Folder served at `/`. */
  root: string;
  /** Text inserted into the server block, e.g. `location /api/ { proxy_pass http://127.0.0.1:4000; }`. */
  server?: string;
  bin?: string;
}

export interface TestNginx {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

export function nginxConfig(o: { dir: string; port: number; root: string; server?: string; asRoot: boolean }): string {
  const p = (name: string): string => JSON.stringify(join(o.dir, name));
  return `${o.asRoot ? 'user root root;\n' : ''}worker_processes 1;
daemon off;
error_log ${p('error.log')} warn;
pid ${p('nginx.pid')};
events { worker_connections 256; }
http {
  access_log ${p('access.log')};
  client_body_temp_path ${p('client_body')};
  proxy_temp_path ${p('proxy')};
  fastcgi_temp_path ${p('fastcgi')};
  uwsgi_temp_path ${p('uwsgi')};
  scgi_temp_path ${p('scgi')};
  types { text/html html; text/css css; application/javascript js; application/json json; text/plain txt; image/png png; image/svg+xml svg; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${o.port};
    server_name localhost;
    root ${JSON.stringify(o.root)};
${o.server ?? ''}
  }
}
`;
}

export async function startNginx(opts: StartNginxOptions): Promise<TestNginx> {
  const bin = opts.bin ?? NGINX_BIN;
  assertBinary('nginx', nginxAvailable(bin), INSTALL);
  const dir = mkdtempSync(join(tmpdir(), 'pdv-nginx-'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig({ dir, port, root: opts.root, ...(opts.server ? { server: opts.server } : {}), asRoot: process.getuid?.() === 0 }));
  const url = `http://127.0.0.1:${port}`;
  // -e: the error log before the config is read also stays in the temp folder.
  const server = await startServerProcess(bin, ['-p', `${dir}/`, '-c', conf, '-e', join(dir, 'error.log')], {
    dir,
    what: 'nginx',
    ready: () => fetch(`${url}/`, { redirect: 'manual' }).then(() => true, () => false),
  });
  return { url, port, dir, log: server.log, stop: server.stop };
}
