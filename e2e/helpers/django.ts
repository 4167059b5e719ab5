import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../demo/prometheus/launch.ts';
import { missingBinary } from './binaries.ts';
import { EXAMPLES } from './examples.ts';
import { collectLines, startServerProcess } from './server-process.ts';

// The Django site of examples/django-admin/ as a real deployment: Debian's
// python3-django (3.2), a sqlite database in a temp folder, migrated and seeded
// with the two accounts, served by Django's own server on a free loopback
// port. Django logs every request it answers (`"GET /admin/ HTTP/1.1" 200`),
// which is how a test knows whether pdv sent anything at all.

/** Debian's interpreter, where python3-django is installed (not a pyenv or venv one first on PATH). */
export const DJANGO_PYTHON = process.env.PDV_DJANGO_PYTHON ?? '/usr/bin/python3';
export const DJANGO_SITE = join(EXAMPLES, 'django-admin', 'site');
const INSTALL = 'apt-get install python3-django, or set PDV_DJANGO_PYTHON to a python3 that imports django';

let available: boolean | undefined;
export function djangoAvailable(): boolean {
  available ??= existsSync(DJANGO_PYTHON) && spawnSync(DJANGO_PYTHON, ['-c', 'import django'], { stdio: 'ignore' }).status === 0;
  return available;
}

/** For `describe.skipIf(…)`: fails the suite on CI when Django is missing (see binaries.ts). */
export function skipWithoutDjango(): boolean {
  return missingBinary('Django', djangoAvailable(), INSTALL);
}

export interface TestDjango {
  url: string;
  /** Request lines Django logged since it became ready (`"GET /healthz HTTP/1.1" 200 …`). */
  requests(): string[];
  /** Run `python3 manage.py …` against this site's database. */
  manage(args: string[], env?: NodeJS.ProcessEnv): Promise<string>;
  stop(): Promise<void>;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(DJANGO_PYTHON, ['manage.py', ...args], { cwd: DJANGO_SITE, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`manage.py ${args.join(' ')} exited ${code}: ${out}`))));
  });
}

/** The site migrated, seeded with `admin` and `editor` (passwords given), and serving on loopback. */
export async function startDjango(opts: { passwords: { admin: string; editor: string }; version?: string }): Promise<TestDjango> {
  const dir = mkdtempSync(join(tmpdir(), 'pdv-django-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
    DJANGO_SECRET_KEY: `test-${process.pid}-${Date.now()}`,
    DJANGO_DB: join(dir, 'db.sqlite3'),
    DJANGO_VERSION: opts.version ?? '3.2-example',
  };
  await run(['migrate', '--verbosity', '0'], env);
  await run(['seed_roles'], { ...env, DJANGO_ADMIN_PASSWORD: opts.passwords.admin, DJANGO_EDITOR_PASSWORD: opts.passwords.editor });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // --insecure: serve the admin's CSS and JS with DEBUG off, as a web server in front would.
  const server = await startServerProcess(DJANGO_PYTHON, [join(DJANGO_SITE, 'manage.py'), 'runserver', `127.0.0.1:${port}`, '--noreload', '--insecure'], {
    dir,
    what: 'django',
    env,
    readyTimeoutMs: 30_000,
    ready: () => fetch(`${url}/healthz`).then((r) => r.ok, () => false),
  });
  return {
    url,
    requests: collectLines(server.child.stderr, (l) => /"[A-Z]+ \S+ HTTP\/1\.[01]" \d{3}/.test(l)),
    manage: (args, extra = {}) => run(args, { ...env, ...extra }),
    stop: server.stop,
  };
}
