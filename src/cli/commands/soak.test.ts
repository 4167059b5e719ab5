import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import type { CliIo } from '../io.ts';
import { register } from './soak.ts';

const dir = mkdtempSync(join(tmpdir(), 'pdv-soak-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const io: CliIo = { json: false, info: () => undefined, out: () => undefined, error: () => undefined, setExitCode: () => undefined };

async function start(...flags: string[]): Promise<unknown> {
  const config = join(dir, 'pdv.config.ts');
  writeFileSync(config, `export default { environments: { staging: { baseUrl: 'http://127.0.0.1:9' } } }`);
  const program = new Command('pdv').exitOverride();
  register(program, io);
  return program.parseAsync(['soak', 'start', '--config', config, ...flags], { from: 'user' }).then(() => undefined, (e: unknown) => e);
}

describe('pdv soak start duration flags', () => {
  it.each([['--interval', '25d'], ['--duration', '30d'], ['--warmup', '25d']])('%s %s is longer than a timer can hold: usage error, nothing written', async (flag, value) => {
    const state = join(dir, `state-${flag.slice(2)}`);
    const err = await start('--state', state, flag, value);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`${flag}:`);
    expect((err as Error).message).toMatch(/at most 24\.8 days/);
    expect(existsSync(state)).toBe(false);
  });
});
