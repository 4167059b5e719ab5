import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../demo/prometheus/launch.ts';
import { assertBinary, missingBinary } from './binaries.ts';
import { startServerProcess } from './server-process.ts';

// A real Apache httpd (Debian's apache2) for tests: its own config in a temp
// folder (pid file, logs, no /etc/apache2), one loopback port serving `root`,
// plus any extra config text. Runs in the foreground; stop() ends it and
// removes the folder. As root the workers run as www-data, so the folder and
// the served root are made world-readable.

export const APACHE_BIN = process.env.PDV_APACHE_BIN ?? '/usr/sbin/apache2';
const MODULES = process.env.PDV_APACHE_MODULES ?? '/usr/lib/apache2/modules';
const INSTALL = 'apt-get install apache2, or set PDV_APACHE_BIN and PDV_APACHE_MODULES';

export function apacheAvailable(bin = APACHE_BIN): boolean {
  return existsSync(bin) && existsSync(join(MODULES, 'mod_autoindex.so'));
}

/** For `describe.skipIf(…)`: fails the suite on CI when Apache is missing (see binaries.ts). */
export function skipWithoutApache(): boolean {
  return missingBinary('Apache httpd', apacheAvailable(), INSTALL);
}

export interface TestApache {
  url: string;
  stop(): Promise<void>;
  log(): string;
}

export async function startApache(o: { root: string; config?: string }): Promise<TestApache> {
  assertBinary('Apache httpd', apacheAvailable(), INSTALL);
  const dir = mkdtempSync(join(tmpdir(), 'pdv-apache-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const mods = ['mpm_event', 'authz_core', 'dir', 'mime', 'autoindex', 'alias'];
  const conf = join(dir, 'httpd.conf');
  writeFileSync(
    conf,
    `ServerRoot ${JSON.stringify(dir)}
${mods.map((m) => `LoadModule ${m}_module ${JSON.stringify(join(MODULES, `mod_${m}.so`))}`).join('\n')}
${process.getuid?.() === 0 ? 'User www-data\nGroup www-data' : ''}
Listen 127.0.0.1:${port}
ServerName 127.0.0.1
PidFile ${JSON.stringify(join(dir, 'httpd.pid'))}
ErrorLog ${JSON.stringify(join(dir, 'error.log'))}
Mutex file:${dir}
TypesConfig /dev/null
AddType text/html .html
DocumentRoot ${JSON.stringify(o.root)}
DirectoryIndex index.html
<Directory />
  Require all granted
  Options None
</Directory>
${o.config ?? ''}
`,
  );
  const url = `http://127.0.0.1:${port}`;
  const server = await startServerProcess(APACHE_BIN, ['-f', conf, '-DFOREGROUND'], {
    dir,
    what: 'apache2',
    ready: () => fetch(`${url}/`, { redirect: 'manual' }).then(() => true, () => false),
  });
  return { url, stop: server.stop, log: server.log };
}
