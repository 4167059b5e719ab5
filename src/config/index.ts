import type { ConfigInput } from './schema.ts';

export type { ConfigInput, Config, EnvironmentConfig } from './schema.ts';
export type { ResolvedConfig } from './types.ts';

/** Identity helper: gives `pdv.config.ts` type checking and completion. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}
