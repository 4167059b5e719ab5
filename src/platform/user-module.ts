import { dirname, extname, isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';

/**
 * Import a file the user wrote (config, scenario, plugin stage). JavaScript
 * loads natively. TypeScript is bundled with esbuild (bundle-require, the way
 * tsup loads its config): the user's own TypeScript is compiled into one
 * temporary module beside the original, and every package it imports (`pdv`,
 * `zod`, …) stays external, so it loads natively and is the same instance pdv
 * itself uses. Where no file can be written beside the original (a read-only
 * checkout), tsx's loader takes over.
 */
export async function importUserModule(file: string, timeoutMs = USER_MODULE_TIMEOUT_MS): Promise<Record<string, unknown>> {
  // A top-level await that never settles would hang the run, or (with nothing
  // else pending) end the process with Node's exit code 13 and no message.
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish loading within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`} (a top-level await that never settles?)`)), timeoutMs);
  });
  try {
    return await Promise.race([load(file), bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long a config, scenario or plugin module may take to load. */
export const USER_MODULE_TIMEOUT_MS = 30_000;

async function load(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (['.js', '.mjs', '.cjs'].includes(extname(file))) return (await import(url)) as Record<string, unknown>;
  const { bundleRequire } = await import('bundle-require');
  try {
    const { mod } = await bundleRequire({
      filepath: file,
      cwd: dirname(file),
      format: 'esm',
      // pdv's plugin decides what is bundled; bundle-require's own externals rule is switched off.
      notExternal: [/.*/],
      esbuildOptions: { logLevel: 'silent', plugins: [userImports] },
    });
    return mod as Record<string, unknown>;
  } catch (err) {
    if (!isUnwritable(err)) throw err;
  }
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
}

const TYPESCRIPT = /\.[cm]?tsx?$/;
const INNER = Symbol('pdv:user-imports');

/**
 * Packages (and any JavaScript reached through a package name or a file: URL)
 * stay external, named by their resolved file URL: the temporary module may
 * sit elsewhere than the file that imported them, so a bare name would resolve
 * from the wrong folder. TypeScript is bundled, wherever it is.
 */
const userImports: Plugin = {
  name: 'pdv:user-imports',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === INNER) return undefined;
      if (args.path.startsWith('file:')) {
        const path = fileURLToPath(args.path);
        return TYPESCRIPT.test(path) ? { path } : { path: args.path, external: true };
      }
      if (args.path.startsWith('.') || isAbsolute(args.path)) return undefined; // the user's own files: bundled
      const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: INNER });
      if (r.errors.length > 0) return { errors: r.errors };
      if (r.external) return { path: r.path, external: true }; // node:fs and the like
      if (TYPESCRIPT.test(r.path) && !/[/\\]node_modules[/\\]/.test(r.path)) return { path: r.path }; // a tsconfig path alias, a workspace's TypeScript
      return { path: pathToFileURL(r.path).href, external: true };
    });
  },
};

function isUnwritable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EACCES' || code === 'EROFS' || code === 'EPERM';
}
