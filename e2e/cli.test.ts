import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createTlsServer } from 'node:https';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateVerdict } from '../src/reporters/schema.ts';
import { readVerdict, runCli } from './helpers/cli.ts';

// Black-box runs of the real CLI in a temp folder: exit codes, what was
// written (and what was not), and the verdict for targets that are not there.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pdv-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

describe('usage errors: exit 3, named, nothing written', () => {
  it.each([
    ['malformed config field', ['verify', '--config', 'CFG'], `export default { environments: { staging: { baseUrl: 'http://127.0.0.1:1' } }, policy: { majorBudget: -1 } }`, 'policy.majorBudget'],
    ['unknown stage', ['run', 'smoke', 'lod', '--config', 'CFG'], `export default { environments: { staging: { baseUrl: 'http://127.0.0.1:1' } } }`, '"lod"'],
    ['bad --base-url', ['verify', '--config', 'CFG', '--base-url', 'localhost:3000'], `export default { environments: { staging: { baseUrl: 'http://127.0.0.1:1' } } }`, '--base-url'],
    ['bad --shard', ['run', 'uat', '--config', 'CFG', '--shard', '3/2'], `export default { environments: { staging: { baseUrl: 'http://127.0.0.1:1' } } }`, '--shard'],
    ['unknown option', ['verify', '--config', 'CFG', '--frobnicate'], `export default { environments: { staging: { baseUrl: 'http://127.0.0.1:1' } } }`, 'frobnicate'],
  ])('%s', async (_name, args, body, fragment) => {
    // The config sits in its own folder; reports would go to ./reports beside it.
    const cwd = mkdtempSync(join(dir, 'case-'));
    const cfg = join(cwd, 'pdv.config.ts');
    writeFileSync(cfg, body);
    const result = await runCli(args.map((a) => (a === 'CFG' ? cfg : a)), { cwd });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(fragment);
    expect(existsSync(join(cwd, 'reports'))).toBe(false);
  });
});

describe('unreachable targets: rollback with the reason, quickly', () => {
  let refusedPort: number;
  let tlsServer: ReturnType<typeof createTlsServer>;
  let tlsPort: number;
  beforeAll(async () => {
    // A port that nothing listens on: bind, note it, close.
    const s: Server = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    refusedPort = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    // A TLS server without a certificate the client could trust: the handshake fails.
    tlsServer = createTlsServer({});
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', () => r()));
    tlsPort = (tlsServer.address() as { port: number }).port;
  });
  afterAll(() => tlsServer.close());

  it.each([
    ['connection refused', () => `http://127.0.0.1:${refusedPort}`, /refused/i],
    // A host that does not resolve is no longer the target's fault: exit 3 at plan time (e2e/hostile-target.test.ts).
    ['TLS error', () => `https://127.0.0.1:${tlsPort}`, /TLS|SSL|handshake|certificate|EPROTO|socket/i],
  ])('%s', async (_name, url, pattern) => {
    const out = join(dir, `run-${Math.random().toString(36).slice(2)}`);
    const cfg = configFile('unreachable.config.ts', `export default { environments: { staging: { baseUrl: 'http://127.0.0.1:1' } } }`);
    const result = await runCli(['verify', '--config', cfg, '--base-url', url(), '--out', out, '--json']);
    expect(result.code).toBe(1);
    const verdict = readVerdict(out);
    expect(validateVerdict(verdict)).toEqual({ ok: true });
    expect(verdict.verdict).toBe('rollback');
    expect(verdict.reasons[0]?.checkId).toBe('smoke.readiness');
    expect(verdict.reasons[0]?.message).toMatch(pattern);
    // --json: stdout is the machine-readable verdict only.
    expect(JSON.parse(result.stdout).verdict).toBe('rollback');
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['verdict.json', 'summary.md', 'junit.xml', 'index.html', 'events.jsonl']));
  });
});
