import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../demo/prometheus/launch.ts';
import { assertBinary, missingBinary } from './binaries.ts';
import { startServerProcess } from './server-process.ts';

// A real lighttpd (Debian's package) for tests: a generated config in a temp
// folder, one server on a free loopback port serving `root`, plus any extra
// config text (e.g. `$HTTP["url"] =^ "/backup/" { dir-listing.activate = "enable" }`).
// Runs in the foreground (-D); stop() ends it and removes the folder.

export const LIGHTTPD_BIN = process.env.PDV_LIGHTTPD_BIN ?? '/usr/sbin/lighttpd';
const INSTALL = 'apt-get install lighttpd, or set PDV_LIGHTTPD_BIN';

export function lighttpdAvailable(bin = LIGHTTPD_BIN): boolean {
  return existsSync(bin);
}

/** For `describe.skipIf(…)`: fails the suite on CI when lighttpd is missing (see binaries.ts). */
export function skipWithoutLighttpd(): boolean {
  return missingBinary('lighttpd', lighttpdAvailable(), INSTALL);
}

export interface TestLighttpd {
  url: string;
  stop(): Promise<void>;
}

export async function startLighttpd(opts: { root: string; config?: string; bin?: string }): Promise<TestLighttpd> {
  const bin = opts.bin ?? LIGHTTPD_BIN;
  assertBinary('lighttpd', lighttpdAvailable(bin), INSTALL);
  const dir = mkdtempSync(join(tmpdir(), 'pdv-lighttpd-'));
  const port = await freePort();
  const conf = join(dir, 'lighttpd.conf');
  writeFileSync(
    conf,
    `server.modules = ( "mod_dirlisting" )
server.document-root = ${JSON.stringify(opts.root)}
server.bind = "127.0.0.1"
server.port = ${port}
server.errorlog = ${JSON.stringify(join(dir, 'error.log'))}
server.tag = "lighttpd"
index-file.names = ( "index.html" )
mimetype.assign = ( ".html" => "text/html", ".txt" => "text/plain", ".gz" => "application/gzip", ".js" => "text/javascript" )
${opts.config ?? ''}
`,
  );
  const url = `http://127.0.0.1:${port}`;
  const server = await startServerProcess(bin, ['-D', '-f', conf], { dir, what: 'lighttpd', ready: () => fetch(`${url}/`, { redirect: 'manual' }).then(() => true, () => false) });
  return { url, stop: server.stop };
}
