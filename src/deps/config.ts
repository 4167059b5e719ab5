import { z } from 'zod';
import { duration, envVarName, onFail, severity } from '../core/schema.ts';

// `stages.smoke.dependencies[]`: the database and cache the deploy talks to,
// probed directly rather than through the app's own /health. URLs come from
// the environment only (DATABASE_URL / REDIS_URL by default).

const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lower-case slug (letters, digits, -); it becomes the check id smoke.dependency.<name>');

const common = {
  name,
  title: z.string().min(1).optional(),
  /** Connect (and handshake) bound. */
  connectTimeout: duration.default(5_000),
  /** Bound for each query or command. */
  timeout: duration.default(5_000),
  severity: severity.default('critical'),
  onFail: onFail.optional(),
};

export const postgresDependencySchema = z
  .object({
    type: z.literal('postgres'),
    /** Env var holding the connection URL (default DATABASE_URL). */
    urlEnv: envVarName.default('DATABASE_URL'),
    ...common,
    /** The live schema's migration version must equal the release's: given here, or the newest file in migrationsDir. */
    expectedMigration: z.string().min(1).optional(),
    migrationsDir: z.string().min(1).optional(),
    migrationsTable: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/, 'a table name (optionally schema.table)').default('schema_migrations'),
    /** The harness's role must not be able to write (a write attempt, rolled back, must be refused). */
    readOnly: z.boolean().default(false),
  })
  .strict()
  .refine((d) => !(d.expectedMigration && d.migrationsDir), 'set expectedMigration or migrationsDir, not both');

export const redisDependencySchema = z
  .object({
    type: z.literal('redis'),
    /** Env var holding the URL (default REDIS_URL); rediss:// means TLS, user and password in it mean AUTH. */
    urlEnv: envVarName.default('REDIS_URL'),
    ...common,
    /** Cluster mode: CLUSTER INFO must say cluster_state:ok with every one of the 16384 slots assigned. */
    cluster: z.boolean().default(false),
    /** Replication, where the topology is known: the node's role and its fewest connected replicas. */
    replication: z
      .object({
        role: z.enum(['master', 'replica']).optional(),
        minReplicas: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    /** Round-trip budget: the median of `pings` PINGs must stay within it. */
    maxLatency: duration.default(100),
    pings: z.number().int().min(1).max(50).default(5),
  })
  .strict();

export const dependencySchema = z.discriminatedUnion('type', [postgresDependencySchema, redisDependencySchema]);

export type DependencyConfig = z.infer<typeof dependencySchema>;
export type PostgresDependency = z.infer<typeof postgresDependencySchema>;
export type RedisDependency = z.infer<typeof redisDependencySchema>;
