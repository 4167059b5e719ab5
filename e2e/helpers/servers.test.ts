import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { skipWithoutNginx, startNginx } from './nginx.ts';
import { findPgBin } from './postgres.ts';
import { skipWithoutRedis, startRedis } from './redis.ts';

// The helpers start what they promise and clean up after themselves.

const work = mkdtempSync(join(tmpdir(), 'pdv-helpers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(command + '\r\n'));
    s.once('error', reject);
    s.once('data', (d: Buffer) => {
      s.destroy();
      resolve(d.toString());
    });
  });
}

describe.skipIf(skipWithoutRedis())('startRedis', () => {
  it('answers on loopback, persists nothing, and stop() ends it', async () => {
    const redis = await startRedis();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(await redisCommand(redis.port, 'SET k v')).toBe('+OK\r\n');
      expect(await redisCommand(redis.port, 'CONFIG GET save')).toContain('save\r\n$0\r\n');
      expect(await redisCommand(redis.port, 'CONFIG GET appendonly')).toContain('no');
    } finally {
      await redis.stop();
    }
    await expect(redisCommand(redis.port, 'PING')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe.skipIf(skipWithoutNginx())('startNginx', () => {
  it('serves the root folder and the extra server-block text; stop() ends it and removes its folder', async () => {
    const root = join(work, 'site');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'index.html'), '<h1>hello</h1>');
    const nginx = await startNginx({ root, server: '    location = /teapot { return 418 "short and stout"; }' });
    try {
      const page = await fetch(`${nginx.url}/index.html`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toBe('<h1>hello</h1>');
      expect((await fetch(`${nginx.url}/teapot`)).status).toBe(418);
      expect(existsSync(join(nginx.dir, 'nginx.pid'))).toBe(true);
    } finally {
      await nginx.stop();
    }
    expect(existsSync(nginx.dir)).toBe(false);
    await expect(fetch(`${nginx.url}/`)).rejects.toThrow();
  });
});

describe('findPgBin', () => {
  const fakeServer = (bin: string, files = ['postgres', 'initdb']): void => {
    mkdirSync(bin, { recursive: true });
    for (const f of files) writeFileSync(join(bin, f), '');
  };

  it('finds any major version, newest first, not just 15', () => {
    const lib = join(work, 'lib');
    fakeServer(join(lib, 'postgresql', '14', 'bin'));
    fakeServer(join(lib, 'postgresql', '16', 'bin'));
    fakeServer(join(lib, 'postgresql', '17', 'bin'), ['postgres']); // no initdb: not a server install
    expect(findPgBin({ env: {}, pgConfig: join(work, 'no-pg_config'), libRoot: lib })).toBe(join(lib, 'postgresql', '16', 'bin'));
    expect(findPgBin({ env: {}, pgConfig: join(work, 'no-pg_config'), libRoot: join(work, 'nothing') })).toBeUndefined();
  });

  it('prefers pg_config --bindir, and PDV_TEST_PG_BIN over both', () => {
    const viaConfig = join(work, 'via-config', 'bin');
    fakeServer(viaConfig);
    const pgConfig = join(work, 'pg_config');
    writeFileSync(pgConfig, `#!/bin/sh\necho ${viaConfig}\n`, { mode: 0o755 });
    expect(spawnSync(pgConfig, ['--bindir']).status).toBe(0);
    expect(findPgBin({ env: {}, pgConfig, libRoot: join(work, 'nothing') })).toBe(viaConfig);
    const override = join(work, 'override', 'bin');
    fakeServer(override);
    expect(findPgBin({ env: { PDV_TEST_PG_BIN: override }, pgConfig, libRoot: join(work, 'nothing') })).toBe(override);
  });
});
