import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Import a file the user wrote (config, scenario, plugin stage). JavaScript
 * loads natively; TypeScript through tsx's programmatic API, loaded only
 * then, wherever the file lives (no package.json "type" needed beside it).
 */
export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (['.js', '.mjs', '.cjs'].includes(extname(file))) return (await import(url)) as Record<string, unknown>;
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
}
