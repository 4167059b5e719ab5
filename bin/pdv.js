#!/usr/bin/env node
// pdv runs its compiled JavaScript (dist/, built by `npm run build`; `prepare` builds it on
// `npm ci` and `npm pack`). Only a checkout of the pdv repository can run the TypeScript
// sources instead, through tsx, and it does so whenever they are newer than the build (so a
// test or an engineer never runs stale code), for `pdv demo` (the demo lives in the checkout
// only) and when PDV_SOURCES=1. PDV_SOURCES=0 runs the build without looking at the sources.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const sourceMain = new URL('src/cli/main.ts', root);
const builtMain = new URL('dist/src/cli/main.js', root);

/** Build start time written by scripts/build.js; 0 when there is no build. */
function builtAt() {
  try {
    return Number(readFileSync(new URL('dist/.build-stamp', root), 'utf8')) || 0;
  } catch {
    return 0;
  }
}

/** True when a file the build compiles changed since the build started. */
function sourcesNewer(since) {
  for (const dir of ['src', 'security', 'schema']) {
    const base = new URL(`${dir}/`, root);
    for (const name of readdirSync(base, { recursive: true })) {
      if (!/\.(ts|json)$/.test(name) || name.endsWith('.test.ts')) continue;
      if (statSync(new URL(name, base)).mtimeMs > since) return true;
    }
  }
  return false;
}

function useSources() {
  if (!existsSync(sourceMain)) return false; // an installed package: dist only
  if (process.env.PDV_SOURCES === '1') return true;
  if (process.env.PDV_SOURCES === '0') return false; // the build, unchecked (what an installed package runs)
  if (process.argv.slice(2).find((a) => !a.startsWith('-')) === 'demo') return true;
  const at = builtAt();
  return !at || !existsSync(builtMain) || sourcesNewer(at);
}

if (useSources()) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sourceMain.href);
} else {
  await import(builtMain.href);
}
