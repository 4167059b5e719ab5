import { caFiles, readCaFiles } from '../../http/tls.ts';
import type { PlanContext } from '../stage.ts';
import type { SecurityConfig } from './config.ts';
import { loadScannerFiles } from './importers/index.ts';

// Before any request: the CA files the stage trusts are readable, and every
// scanner report (`--import` and `stages.security.imports`) parses — a bad
// file is exit 3 with nothing sent or written.
export async function planSecurity(ctx: PlanContext<SecurityConfig>): Promise<void> {
  const { rootDir, file } = ctx.settings;
  if (ctx.config.trustedCa !== undefined) readCaFiles(caFiles(ctx.config.trustedCa, rootDir), `${file ?? 'config'}: stages.security.trustedCa`);
  if (ctx.imports.length > 0 || ctx.config.imports.length > 0) await loadScannerFiles(ctx.imports, ctx.config, rootDir);
}
