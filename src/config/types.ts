import type { Config, EnvironmentConfig } from './schema.ts';

/** The one config a run uses: file, then env vars, then flags, layered (flag > env > file > default). */
export interface ResolvedConfig extends Config {
  /** Absolute path of the config file, or undefined when none was used. */
  file?: string;
  /** Folder the config file is in; relative paths in the config resolve against it. */
  rootDir: string;
  environmentName: string;
  environment: EnvironmentConfig;
  /** Runbook values from the environment (DATABASE_URL, REDIS_URL, AWS_REGION). Secrets: redact. */
  runtime: {
    databaseUrl?: string;
    redisUrl?: string;
    awsRegion?: string;
  };
  deployId?: string;
}
