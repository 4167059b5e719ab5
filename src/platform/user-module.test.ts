import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importUserModule } from './user-module.ts';

// A user's TypeScript (config, scenario, plugin stage) outside pdv's tree, with
// a helper of their own in a sub-folder and a package import.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pdv-user-module-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('importUserModule', () => {
  it('loads TypeScript with relative TypeScript imports; each file keeps its own import.meta.url; nothing is left beside it', async () => {
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib', 'where.ts'), 'export const where: string = import.meta.url;\nexport enum Kind { A = 1 }\n');
    writeFileSync(join(dir, 'pdv.config.ts'), "import { where, Kind } from './lib/where.ts';\nconst self: string = import.meta.url;\nexport default { where, self, kind: Kind.A };\n");
    const mod = await importUserModule(join(dir, 'pdv.config.ts'));
    expect(mod.default).toEqual({ where: pathToFileURL(join(dir, 'lib', 'where.ts')).href, self: pathToFileURL(join(dir, 'pdv.config.ts')).href, kind: 1 });
    expect(readdirSync(dir).sort()).toEqual(['lib', 'pdv.config.ts']);
  });

  it('leaves packages external: the user module gets the same instance pdv loads natively', async () => {
    // Placed under this repository so `zod` resolves from its node_modules, as a user's config resolves `pdv`.
    const local = mkdtempSync(join(import.meta.dirname, '.user-module-'));
    try {
      writeFileSync(join(local, 'uses-zod.ts'), "import { z } from 'zod';\nexport const object = z.object;\n");
      const mod = await importUserModule(join(local, 'uses-zod.ts'));
      const native = (await import(pathToFileURL(join(import.meta.dirname, '../../node_modules/zod/index.js')).href)) as { z: { object: unknown } };
      expect(mod.object).toBe(native.z.object);
      // From a folder where `zod` does not resolve, through that helper (by path and by file: URL): the
      // package is found from the helper's folder, not from where the temporary module is written.
      writeFileSync(join(dir, 'by-path.ts'), `export { object } from ${JSON.stringify(join(local, 'uses-zod.ts'))};\n`);
      writeFileSync(join(dir, 'by-url.ts'), `export { object } from ${JSON.stringify(pathToFileURL(join(local, 'uses-zod.ts')).href)};\n`);
      expect((await importUserModule(join(dir, 'by-path.ts'))).object).toBe(native.z.object);
      expect((await importUserModule(join(dir, 'by-url.ts'))).object).toBe(native.z.object);
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });

  it('a syntax error names the file and the line', async () => {
    writeFileSync(join(dir, 'broken.ts'), 'export default {\n  a: 1,\n  b: = 2,\n};\n');
    await expect(importUserModule(join(dir, 'broken.ts'))).rejects.toThrow(/broken\.ts:3/);
    expect(readdirSync(dir)).toEqual(['broken.ts']);
  });

  it('a package that is not installed is named', async () => {
    writeFileSync(join(dir, 'missing.ts'), "import x from 'no-such-package-pdv';\nexport default x;\n");
    await expect(importUserModule(join(dir, 'missing.ts'))).rejects.toThrow(/no-such-package-pdv/);
  });

  it('loads JavaScript natively', async () => {
    writeFileSync(join(dir, 'plain.mjs'), 'export default { plain: true };\n');
    expect((await importUserModule(join(dir, 'plain.mjs'))).default).toEqual({ plain: true });
  });

  it('a module whose top-level await never settles is refused within its bound, not exit 13 or a hang (issue 23)', async () => {
    writeFileSync(join(dir, 'pdv.config.mjs'), 'await new Promise(() => {});\nexport default {};\n');
    await expect(importUserModule(join(dir, 'pdv.config.mjs'), 300)).rejects.toThrow('did not finish loading within 300 ms');
  });
});
