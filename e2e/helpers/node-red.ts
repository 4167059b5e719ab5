import { mkdtempSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../demo/prometheus/launch.ts';
import { REPO } from './cli.ts';
import { EXAMPLES } from './examples.ts';
import { startServerProcess } from './server-process.ts';

// Node-RED 4 (npm devDependency) behind examples/node-red/: a real process on a
// free loopback port with a temp userDir, the example's settings.cjs (or a
// variant of it), two users whose bcrypt hashes are made at start with the
// bcryptjs Node-RED ships, and one deployed flow.

const NODE_RED_BIN = join(REPO, 'node_modules', 'node-red', 'red.js');
const fromNodeRed = createRequire(join(REPO, 'node_modules', 'node-red', 'package.json'));

export function nodeRedSettings(): string {
  return readFileSync(join(EXAMPLES, 'node-red', 'settings.cjs'), 'utf8');
}

/** A bcrypt hash as Node-RED's adminAuth expects it (what `node-red admin hash-pw` prints). */
export function bcryptHash(password: string): string {
  const bcrypt = fromNodeRed('bcryptjs') as { hashSync(password: string, rounds: number): string };
  return bcrypt.hashSync(password, 8);
}

/** The flows deployed at start: one tab with an inject and a debug node. */
const FLOWS = [
  { id: 'a1b2c3d4e5f60001', type: 'tab', label: 'Flow 1', disabled: false, info: '' },
  { id: 'a1b2c3d4e5f60002', type: 'inject', z: 'a1b2c3d4e5f60001', name: 'tick', props: [{ p: 'payload' }], repeat: '', once: false, topic: '', payload: '', payloadType: 'date', x: 120, y: 80, wires: [['a1b2c3d4e5f60003']] },
  { id: 'a1b2c3d4e5f60003', type: 'debug', z: 'a1b2c3d4e5f60001', name: 'out', active: true, complete: 'false', x: 300, y: 80, wires: [] },
];

export interface TestNodeRed {
  url: string;
  /** The access tokens Node-RED issued so far (seen in its own session store, `.sessions.json`). */
  issuedTokens(): string[];
  log(): string;
  stop(): Promise<void>;
}

export async function startNodeRed(opts: { settings: string; passwords: { admin: string; reader: string } }): Promise<TestNodeRed> {
  const dir = mkdtempSync(join(tmpdir(), 'pdv-node-red-'));
  writeFileSync(join(dir, 'settings.cjs'), opts.settings);
  writeFileSync(join(dir, 'flows.json'), JSON.stringify(FLOWS, null, 2));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startServerProcess(process.execPath, [NODE_RED_BIN, '--settings', join(dir, 'settings.cjs'), '--userDir', dir], {
    dir,
    what: 'node-red',
    readyTimeoutMs: 60_000,
    // A deployed Node-RED runs in production mode: Express then answers a malformed request
    // without its stack trace (pdv's security stage reports one as a debug page).
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), NODE_RED_ADMIN_HASH: bcryptHash(opts.passwords.admin), NODE_RED_READER_HASH: bcryptHash(opts.passwords.reader) },
    ready: () => fetch(`${url}/auth/login`).then((r) => r.ok, () => false),
  });
  // Every token Node-RED ever stored, kept as it writes its session store: a token
  // revoked later (signing out) drops out of the file but is still a secret to look for.
  const seen = new Set<string>();
  const readStore = (): void => {
    try {
      // { "<token>": { user, client, scope, accessToken, expires }, … }
      const store = JSON.parse(readFileSync(join(dir, '.sessions.json'), 'utf8')) as Record<string, { accessToken?: string }>;
      for (const s of Object.values(store)) if (s.accessToken) seen.add(s.accessToken);
    } catch {
      // not written yet, or caught mid-write: the next change event reads it again
    }
  };
  const watcher = watch(dir, (_event, name) => {
    if (name === '.sessions.json') readStore();
  });
  const issuedTokens = (): string[] => {
    readStore();
    return [...seen];
  };
  const stop = async (): Promise<void> => {
    watcher.close();
    await server.stop();
  };
  return { url, issuedTokens, log: server.log, stop };
}

/** A TCP relay in front of `upstream` that counts the connections it accepted: "did anything reach the app?" */
export async function countingRelay(upstream: string): Promise<{ url: string; connections(): number; close(): Promise<void> }> {
  const target = new URL(upstream);
  let connections = 0;
  const server: Server = createServer((client) => {
    connections++;
    const up = connect(Number(target.port), target.hostname);
    client.pipe(up).pipe(client);
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
