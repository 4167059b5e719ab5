import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../e2e/helpers/cli.ts';

// `pdv dr cleanup` through the real CLI, over PGlite scratch folders: by default it
// spares a copy younger than the DR stage's timeout (another run may be restoring
// into it right now); `--older-than 0` removes every tagged copy.

const root = mkdtempSync(join(tmpdir(), 'pdv-dr-cleanup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function scratch(dir: string, name: string, createdAt: Date | undefined): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'tag.json'), JSON.stringify({ runId: name.slice('pdv_dr_'.length), ...(createdAt ? { createdAt: createdAt.toISOString() } : {}) }));
  return folder;
}

function setUp(name: string) {
  const dir = join(root, name);
  const scratchDir = join(dir, 'scratch');
  mkdirSync(scratchDir, { recursive: true });
  writeFileSync(
    join(dir, 'pdv.config.mjs'),
    `export default { environments: { staging: { baseUrl: 'http://127.0.0.1:9' } }, stages: { dr: { driver: 'pglite', source: { folder: 'backups' }, scratchDir: ${JSON.stringify(scratchDir)}, timeout: '10m' } } };\n`,
  );
  const young = scratch(scratchDir, 'pdv_dr_running', new Date(Date.now() - 30_000));
  const old = scratch(scratchDir, 'pdv_dr_old', new Date(Date.now() - 3 * 3_600_000));
  const undated = scratch(scratchDir, 'pdv_dr_undated', undefined);
  return { config: join(dir, 'pdv.config.mjs'), young, old, undated };
}

describe('pdv dr cleanup', () => {
  it('spares a copy younger than the stage timeout by default; removes the old and the undated ones', async () => {
    const s = setUp('default');
    const r = await runCli(['dr', 'cleanup', '--config', s.config], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(s.young)).toBe(true);
    expect(existsSync(s.old)).toBe(false);
    expect(existsSync(s.undated)).toBe(false);
  });

  it('--older-than 0 removes every tagged copy', async () => {
    const s = setUp('all');
    const r = await runCli(['dr', 'cleanup', '--config', s.config, '--older-than', '0'], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect([s.young, s.old, s.undated].map(existsSync)).toEqual([false, false, false]);
  });
});
