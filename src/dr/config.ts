import { z } from 'zod';
import { duration, envVarName, httpUrl, onFail, stageBase } from '../core/schema.ts';
import { migrationTool } from './migrations.ts';

// The dr stage's section of the config (`stages.dr`): where the newest backup
// is, how to restore it somewhere disposable, what to validate on the copy,
// and the RPO/RTO targets.

/** A table name, optionally schema-qualified; quoted as an identifier in SQL. */
export const tableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/, 'must be a table name like "projects" or "public.projects"');
const columnName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a column name');

const sourceSchema = z
  .object({
    /** One backup file (pg_dump -Fc archive, PGlite tarball). */
    path: z.string().min(1).optional(),
    /** A folder: the newest backup in it is used. */
    folder: z.string().min(1).optional(),
    /** Only file names matching this regular expression count as backups (e.g. "\\.dump$"). */
    pattern: z
      .string()
      .refine((s) => {
        try {
          new RegExp(s);
          return true;
        } catch {
          return false;
        }
      }, 'must be a regular expression')
      .optional(),
    /** rds: the source DB instance identifier. */
    instance: z.string().min(1).optional(),
  })
  .strict();

const appSchema = z
  .object({
    /**
     * Starts the app on the restored data. Placeholders: {dataDir} (pglite),
     * {databaseUrl} (postgres/rds; also passed as DATABASE_URL). The app prints
     * a JSON line `{"event":"ready","baseUrl":…}` or listens on `baseUrl`.
     */
    command: z.array(z.string().min(1)).min(1),
    env: z.record(z.string(), z.string()).default({}),
    /** Fixed URL of the restored app when it does not print a ready line. */
    baseUrl: httpUrl.optional(),
    startTimeout: duration.default(60_000),
    /** `smoke`: the smoke stage's checks (readiness + Playwright specs) against the restored app; `probes`: the paths below only. */
    smoke: z.enum(['smoke', 'probes']).default('smoke'),
    /** Paths that must answer 2xx on the restored app (smoke: 'probes'); the first one is retried through warm-up. */
    probes: z.array(z.string().startsWith('/')).default([]),
    /** Sign in as this role (environments.<env>.credentials, through the environment's auth) before the probes after the first. */
    role: z.string().min(1).optional(),
  })
  .strict()
  .refine((a) => a.smoke !== 'probes' || a.probes.length > 0, { message: "smoke: 'probes' needs the paths to probe (probes: ['/health', …])", path: ['probes'] });

const rdsSchema = z
  .object({
    /** `snapshot`: newest automated or manual snapshot; `pitr`: latest restorable time. */
    mode: z.enum(['snapshot', 'pitr']).default('snapshot'),
    region: z.string().optional(),
    instanceClass: z.string().optional(),
    subnetGroup: z.string().optional(),
    securityGroups: z.array(z.string()).default([]),
    /** Master user of the source instance (a restore keeps it) and the env var with its password. */
    username: z.string().min(1).default('postgres'),
    passwordEnv: envVarName.default('PDV_DR_RDS_PASSWORD'),
    database: z.string().min(1).default('postgres'),
    /** TLS to the restored instance; `require` encrypts, `verify` also checks it against caFile. */
    ssl: z.enum(['disable', 'require', 'verify']).default('require'),
    caFile: z.string().optional(),
    /** How often the waiter polls (AWS's own waiter: 30 s × 60). */
    pollInterval: duration.default(30_000),
    /** Restores can outlast 30–40 min; keep the stage timeout above this. */
    availableTimeout: duration.default(2_400_000),
    deleteTimeout: duration.default(1_200_000),
  })
  .strict();

export const drConfigSchema = stageBase
  .extend({
    timeout: duration.default(600_000),
    /** A deployment without DR configured opts in; the stage reports "skipped" otherwise. */
    driver: z.enum(['postgres', 'rds', 'pglite']).optional(),
    source: sourceSchema.default({}),
    /** postgres: env var with the server scratch databases are created on (default DATABASE_URL). */
    databaseUrlEnv: envVarName.optional(),
    /** compareTo 'live': env var with the live database to count against (default DATABASE_URL, the runbook's). */
    liveDatabaseUrlEnv: envVarName.optional(),
    /** pglite: where scratch data dirs go (default <tmp>/pdv-dr). */
    scratchDir: z.string().optional(),
    /** postgres: folder with pg_restore (default: PATH, then /usr/lib/postgresql/<v>/bin). */
    pgBin: z.string().optional(),
    /**
     * postgres: the archive's owners and GRANTs are restored ('restore') so the app runs on the copy
     * as it runs in production, or dropped ('none': pg_restore --no-owner --no-privileges).
     */
    privileges: z.enum(['restore', 'none']).default('restore'),
    /** postgres: roles the archive names that the scratch server lacks are created NOLOGIN, tagged with the run id and dropped at cleanup ('create'), or must exist ('existing'). */
    roles: z.enum(['create', 'existing']).default('create'),
    /** postgres: SQL file run on the restored copy before the checks and the app (logins, memberships, grants); roles it creates are dropped at cleanup. */
    rolesSql: z.string().min(1).optional(),
    rds: rdsSchema.prefault({}),
    criticalTables: z.array(tableName).default([]),
    /** table → columns (or "*" for the whole row) whose checksum must match. */
    checksums: z.record(tableName, z.union([z.literal('*'), z.array(columnName).min(1)])).default({}),
    /** Compare row counts with the backup's manifest, or with the live database (liveDatabaseUrlEnv, else DATABASE_URL). */
    compareTo: z.enum(['manifest', 'live']).default('manifest'),
    /** Allowed relative difference in row counts (0.01 = 1 %). */
    tolerance: z.number().min(0).max(1).default(0),
    /** The release's migration version; or the newest file in migrationsDir. */
    expectedMigration: z.string().min(1).optional(),
    migrationsDir: z.string().optional(),
    /** The app's migration tool: its history table and version column (docs/dr.md lists them); default Rails' schema_migrations.version. */
    migrationsTool: migrationTool.optional(),
    /** The history table (overrides the tool's). */
    migrationsTable: tableName.optional(),
    /** The column holding the version (overrides the tool's). */
    migrationsColumn: columnName.optional(),
    rpoTarget: duration.default(86_400_000),
    rtoTarget: duration.default(900_000),
    /** What an RPO/RTO over target means (a stale backup is not the deploy's fault). */
    targetsOnFail: onFail.default('hold'),
    app: appSchema.optional(),
    /** Time allowed for removing the scratch copy, even after an abort. */
    cleanupTimeout: duration.default(120_000),
  })
  .strict();

export type DrConfig = z.infer<typeof drConfigSchema>;
export type DrConfigInput = z.input<typeof drConfigSchema>;
export type DrAppConfig = z.infer<typeof appSchema>;
export type DrRdsConfig = z.infer<typeof rdsSchema>;
