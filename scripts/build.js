// `npm run build`: compile src/ to dist/ (tsconfig.build.json) and stamp the build with its
// start time, so bin/pdv.js in a checkout can tell when the sources moved on since.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const startedAt = Date.now();
// No stamp while the build writes: a checkout's bin/pdv.js runs the sources meanwhile, never a half-written dist/.
rmSync(new URL('../dist/.build-stamp', import.meta.url), { force: true });
// A clean build: files moved or deleted in src/ must not linger in dist/ (and ship in the tarball).
rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd: new URL('..', import.meta.url) });
if (r.status !== 0) process.exit(r.status ?? 1);
mkdirSync(new URL('../dist', import.meta.url), { recursive: true });
// verdict.json's validator as code (ajv standalone), so a compiled run does not compile the schema.
const { PRECOMPILED_FILE, standaloneVerdictValidator } = await import('../dist/src/reporters/schema.js');
writeFileSync(new URL(`../dist/src/reporters/${PRECOMPILED_FILE}`, import.meta.url), standaloneVerdictValidator());
writeFileSync(new URL('../dist/.build-stamp', import.meta.url), `${startedAt}\n`);
