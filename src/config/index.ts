import type { ConfigInput } from './schema.ts';

export type { ConfigInput, Config } from './schema.ts';
export type { EnvironmentConfig } from '../target/environment.ts';
export type { ResolvedConfig } from './types.ts';

/** Identity helper: gives `pdv.config.ts` type checking and completion. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}

// The package's public entry (`import { defineConfig, defineScenario } from 'pdv'`).
export { defineScenario } from '../load/scenario.ts';
export type { ScenarioFileInput, ThresholdInput } from '../load/scenario.ts';
export type { CheckResult, CheckStatus, OnFail, Severity, Verdict, VerdictReport } from '../core/types.ts';

// Plugin stages (docs/architecture.md): `export default defineStage({...})`, a section schema built on `stageBase`.
export { defineStage } from '../stages/stage.ts';
export type { PlanContext, StageContext, StageDefinition, StageReport } from '../stages/stage.ts';
export { stageBase } from '../core/schema.ts';

// Sign-in code of your own (`auth: { type: 'module', module: './login.ts' }`, docs/target.md).
export type { LoginModule, LoginModuleArgs, LoginModuleResult } from '../auth/module.ts';

/** A browser sign-in module (`auth: { type: 'browser', module }`): fills the page it is given. */
export type BrowserLoginModule = (args: { page: import('playwright-core').Page; role: string; username: string | undefined; password: string | undefined; baseUrl: string }) => Promise<void | { refused: string }>;

// DR: the manifest a backup job stores beside its dump (docs/dr.md), measured as `pdv dr manifest` does.
export type { BackupManifest } from '../dr/types.ts';
export type { BackupManifestOptions } from '../dr/take-manifest.ts';
export type { MigrationSource } from '../dr/migrations.ts';
export { manifestJson } from '../dr/manifest-text.ts';

/** Restore `archive` into a scratch copy and measure it: tables, row counts, checksums, migration version, time, size, sha256. */
export async function backupManifest(archive: string, opts?: Partial<import('../dr/take-manifest.ts').BackupManifestOptions>): Promise<import('../dr/types.ts').BackupManifest> {
  // Loaded on call: a config file importing defineConfig should not load database drivers.
  return (await import('../dr/take-manifest.ts')).backupManifest(archive, { ...opts, env: opts?.env ?? process.env });
}

/** backupManifest, written as `<archive>.manifest.json` (or `out`) in the exact text `pdv dr manifest` writes. */
export async function writeBackupManifest(
  archive: string,
  opts?: Partial<import('../dr/take-manifest.ts').BackupManifestOptions> & { out?: string },
): Promise<{ path: string; manifest: import('../dr/types.ts').BackupManifest; text: string }> {
  return (await import('../dr/take-manifest.ts')).writeBackupManifest(archive, { ...opts, env: opts?.env ?? process.env });
}
