import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { updateLatestLink } from './latest.ts';

let reports: string;
beforeEach(async () => {
  reports = await mkdtemp(join(tmpdir(), 'pdv-latest-'));
});
afterEach(async () => {
  await rm(reports, { recursive: true, force: true });
});

async function run(id: string): Promise<string> {
  const dir = join(reports, id);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'verdict.json'), `{"runId":"${id}"}`);
  return dir;
}

describe('updateLatestLink', () => {
  it('points reports/latest at the run with a relative symlink, and moves it to the next run', async () => {
    const first = await updateLatestLink(reports, await run('run-1'));
    expect(first).toMatchObject({ kind: 'symlink', target: 'run-1' });
    expect(await readlink(join(reports, 'latest'))).toBe('run-1');
    await updateLatestLink(reports, await run('run-2'));
    expect(await readlink(join(reports, 'latest'))).toBe('run-2');
    expect(await readFile(join(reports, 'latest', 'verdict.json'), 'utf8')).toContain('run-2');
    // Nothing but the runs and the link: the temp symlink was renamed, not left behind.
    expect((await readdir(reports)).sort()).toEqual(['latest', 'run-1', 'run-2']);
  });

  it('falls back to latest.txt with the run id when symlinks fail', async () => {
    const result = await updateLatestLink(reports, await run('run-3'), {
      symlink: async () => {
        throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
      },
    });
    expect(result).toMatchObject({ kind: 'file', target: 'run-3' });
    expect(await readFile(join(reports, 'latest.txt'), 'utf8')).toBe('run-3\n');
    expect((await readdir(reports)).sort()).toEqual(['latest.txt', 'run-3']);
  });

  it('never replaces a real directory named latest', async () => {
    await mkdir(join(reports, 'latest'));
    await writeFile(join(reports, 'latest', 'keep.txt'), 'mine');
    const result = await updateLatestLink(reports, await run('run-4'));
    expect(result.kind).toBe('file');
    expect((await lstat(join(reports, 'latest'))).isDirectory()).toBe(true);
    expect(await readFile(join(reports, 'latest', 'keep.txt'), 'utf8')).toBe('mine');
    expect((await readdir(reports)).sort()).toEqual(['latest', 'latest.txt', 'run-4']);
  });

  it('removes a stale latest.txt once the symlink works again', async () => {
    await writeFile(join(reports, 'latest.txt'), 'old\n');
    await updateLatestLink(reports, await run('run-5'));
    expect((await readdir(reports)).sort()).toEqual(['latest', 'run-5']);
  });

  it('handles a run folder outside reports/ (--out) with a relative path', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'pdv-out-'));
    try {
      const result = await updateLatestLink(reports, elsewhere);
      expect(result.kind).toBe('symlink');
      expect(result.target.startsWith('..')).toBe(true);
      expect((await lstat(join(reports, 'latest'))).isSymbolicLink()).toBe(true);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});
