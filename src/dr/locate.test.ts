import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateBackupFile } from './locate.ts';

describe('locateBackupFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pdv-locate-'));
    const at = (h: number) => new Date(Date.UTC(2026, 10, 26, h));
    for (const [name, h] of [['a.dump', 1], ['b.dump', 3], ['README.txt', 5], ['.c.dump', 6], ['d.dump.partial', 7]] as const) {
      await writeFile(join(dir, name), name);
      await utimes(join(dir, name), at(h), at(h));
    }
    // a's manifest says it is the newest, whatever its mtime
    await writeFile(join(dir, 'a.dump.manifest.json'), JSON.stringify({ schemaVersion: 1, createdAt: '2026-11-26T04:00:00Z', archive: { file: 'a.dump', bytes: 6, sha256: 'x' } }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('picks the newest by manifest time, else mtime, skipping hidden, partial and manifest files', async () => {
    expect((await locateBackupFile({ folder: dir }, '/'))?.id).toBe(join(dir, 'README.txt'));
    const b = await locateBackupFile({ folder: dir, pattern: '\\.dump$' }, '/');
    expect(b?.id).toBe(join(dir, 'a.dump'));
    expect(b?.manifest?.createdAt).toBe('2026-11-26T04:00:00Z');
  });

  it('resolves relative paths against the config folder; missing means no backup', async () => {
    expect((await locateBackupFile({ path: 'b.dump' }, dir))?.createdAt.toISOString()).toBe('2026-11-26T03:00:00.000Z');
    expect(await locateBackupFile({ path: 'nope.dump' }, dir)).toBeUndefined();
    expect(await locateBackupFile({ folder: join(dir, 'nope') }, dir)).toBeUndefined();
  });
});
