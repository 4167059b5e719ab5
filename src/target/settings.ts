import type { EnvironmentConfig } from './environment.ts';

/**
 * What every stage shares, beside its own config section: the project, the
 * environment under test (the target model: URLs, health, version, roles,
 * auth, allowed hosts, vars), where the config file is, and the runbook's
 * runtime values. Relative paths in a config resolve against `rootDir`.
 */
import type { Environ } from '../core/types.ts';

export type { Environ };

export interface RunSettings {
  project: string;
  /** Absolute path of the config file, or undefined when none was used. */
  file?: string;
  /** Folder the config file is in; relative paths in the config resolve against it. */
  rootDir: string;
  /** Where run folders go (relative to rootDir unless absolute). */
  reportsDir: string;
  environmentName: string;
  environment: EnvironmentConfig;
  /** Runbook values from the environment (DATABASE_URL, REDIS_URL, AWS_REGION). Secrets: redact. */
  runtime: {
    databaseUrl?: string;
    redisUrl?: string;
    awsRegion?: string;
  };
  deployId?: string;
  /**
   * The environment variables of the run, read once (config/load.ts): secrets named by
   * `passwordEnv`/`…Env`, runbook values, credentials of metric sources. Stages and libraries
   * read them here (or as a parameter), never from `process.env`. Values may be secrets: redact.
   */
  env: Environ;
}
