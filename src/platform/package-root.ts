import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

// pdv runs from its sources in a checkout (src/…) and compiled from an installed
// package (dist/src/…): files it ships beside the code (security definitions,
// package.json) are found from the package root, never by a fixed number of `..`.

/** The nearest folder at or above `from` that holds a package.json. */
export function packageRootOf(from: string): string {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return dir;
  return from;
}

/** pdv's own root: the repository checkout, or `node_modules/pdv` once installed. */
export const PACKAGE_ROOT = packageRootOf(import.meta.dirname);

/** True in a checkout of the pdv repository (its TypeScript sources are present), false in an installed package. */
export const IN_CHECKOUT = existsSync(join(PACKAGE_ROOT, 'src', 'cli', 'main.ts'));
