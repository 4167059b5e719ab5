import pg from 'pg';
import { EvidenceError, errorMessage } from '../../core/errors.ts';
import { execFileCapture, libpqEnv, pgBinary, withDatabase } from '../exec.ts';
import { locateBackupFile } from '../locate.ts';
import { isScratchDbName, parseTagComment, quoteIdent, quoteLiteral, tagComment } from '../naming.ts';
import type { ArchiveInfo, BackupRef, RestoreDriver, RestoredCopy, ScratchRef } from '../types.ts';
import { applyRolesSql, dropRunRoles, prepareRoles, rolesInScript, taggedRoles, withRoles } from './pg-roles.ts';
import type { Environ } from '../../core/types.ts';

// PostgreSQL: a pg_dump custom-format archive is listed (`pg_restore --list`
// proves its table of contents reads), restored into a scratch database
// `pdv_dr_<runid>` tagged by COMMENT ON DATABASE, and dropped afterwards.

export interface PostgresDriverOptions {
  source: { path?: string; folder?: string; pattern?: string };
  rootDir: string;
  /** Admin connection on the server where scratch databases are created. */
  adminUrl: string;
  pgBin?: string;
  /** 'restore' keeps the archive's owners and GRANTs; 'none' restores with --no-owner --no-privileges. */
  privileges?: 'restore' | 'none';
  /** Roles the archive names that the server lacks: 'create' (NOLOGIN, tagged, dropped at cleanup) or 'existing' (a missing one is errored). */
  roles?: 'create' | 'existing';
  /** SQL file run on the restored copy before it is used (roles, memberships, grants); roles it creates are tagged. */
  rolesSql?: string;
  /** The run's environment variables: the PATH the client tools are found on and run with. */
  env: Environ;
}

function lastLines(text: string, n = 6): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

/** The scratch server is the harness's: when it cannot be reached or refuses, that is no evidence about the backup. */
async function withAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new EvidenceError(`cannot reach the scratch database server: ${errorMessage(err)}`, { cause: err });
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** pg_restore that cannot be started (not installed, not executable) is the harness's fault; an abort stays an abort. */
function toolFault(file: string, signal: AbortSignal): (err: unknown) => never {
  return (err: unknown) => {
    if (signal.aborted) throw err;
    throw new EvidenceError(`cannot run ${file}: ${errorMessage(err)} (set stages.dr.pgBin)`, { cause: err });
  };
}

export function createPostgresDriver(opts: PostgresDriverOptions): RestoreDriver {
  const pgRestore = pgBinary('pg_restore', opts.pgBin, opts.env);

  return {
    kind: 'postgres',
    locate: () => locateBackupFile(opts.source, opts.rootDir),

    async verifyArchive(backup: BackupRef, signal: AbortSignal): Promise<ArchiveInfo> {
      const res = await execFileCapture(pgRestore, ['--list', backup.id], { signal }).catch(toolFault(pgRestore, signal));
      if (res.code !== 0) return { ok: false, message: `pg_restore --list failed (exit ${res.code}): ${lastLines(res.stderr)}` };
      const entries = res.stdout.split('\n').filter((l) => l.trim() && !l.startsWith(';')).length;
      if (entries === 0) return { ok: false, message: 'pg_restore --list: the archive has no entries', entries };
      return { ok: true, message: `pg_restore --list: ${entries} TOC entries`, entries };
    },

    async restore(backup: BackupRef, scratch: ScratchRef, signal: AbortSignal): Promise<RestoredCopy> {
      const noPrivileges = opts.privileges === 'none' ? ['--no-owner', '--no-privileges'] : [];
      // The roles the restore will name, from its own script (schema only: no data is read).
      const script = await execFileCapture(pgRestore, ['--schema-only', ...noPrivileges, '--file', '-', backup.id], { signal }).catch(toolFault(pgRestore, signal));
      if (script.code !== 0) throw new Error(`pg_restore --schema-only failed (exit ${script.code ?? script.signal}): ${lastLines(script.stderr)}`);
      const needed = rolesInScript(script.stdout);
      await withAdmin(opts.adminUrl, async (c) => {
        try {
          await c.query(`CREATE DATABASE ${quoteIdent(scratch.name)}`);
          await c.query(`COMMENT ON DATABASE ${quoteIdent(scratch.name)} IS ${quoteLiteral(tagComment(scratch.runId))}`);
        } catch (err) {
          throw new EvidenceError(`cannot create the scratch database on its server: ${errorMessage(err)}`, { cause: err });
        }
        await prepareRoles(c, needed, scratch.runId, opts.roles ?? 'create');
      });
      const env = { ...opts.env, ...libpqEnv(opts.adminUrl, scratch.name) };
      const args = ['--exit-on-error', '--single-transaction', ...noPrivileges, '--dbname', scratch.name, backup.id];
      const res = await execFileCapture(pgRestore, args, { env, signal }).catch(toolFault(pgRestore, signal));
      if (res.code !== 0) {
        const msg = `pg_restore failed (exit ${res.code ?? res.signal}): ${lastLines(res.stderr)}`;
        // It could not reach the scratch server: that says nothing about the archive.
        if (/connection to server .* failed|could not connect to server/i.test(res.stderr)) throw new EvidenceError(msg);
        // Roles are the scratch server's, not the archive's (e.g. dropped by a parallel run's cleanup).
        if (/role ".*" does not exist/i.test(res.stderr)) throw new EvidenceError(`${msg} (a role the archive names is missing on the scratch server; see stages.dr.roles)`);
        throw new Error(msg);
      }
      const databaseUrl = withDatabase(opts.adminUrl, scratch.name);
      if (opts.rolesSql) await applyRolesSql(databaseUrl, opts.rolesSql, scratch.runId);
      const db = new pg.Client({ connectionString: databaseUrl });
      try {
        await db.connect();
      } catch (err) {
        await db.end().catch(() => undefined);
        throw new EvidenceError(`cannot connect to the restored scratch database: ${errorMessage(err)}`, { cause: err });
      }
      return {
        db,
        app: { placeholders: { databaseUrl }, env: { DATABASE_URL: databaseUrl } },
        close: () => db.end(),
      };
    },

    async drop(scratch: ScratchRef): Promise<void> {
      // FORCE ends sessions a crashed app may still hold (PostgreSQL 13+).
      await withAdmin(opts.adminUrl, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch.name)} WITH (FORCE)`);
        // Roles after the database: nothing of this run depends on them any more.
        await dropRunRoles(c, scratch.runId);
      });
    },

    async listScratch(): Promise<ScratchRef[]> {
      const { rows } = await withAdmin(opts.adminUrl, (c) =>
        c.query<{ datname: string; comment: string | null }>(
          `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname LIKE 'pdv\\_dr\\_%'`,
        ),
      );
      const out: ScratchRef[] = [];
      for (const r of rows) {
        const tag = parseTagComment(r.comment);
        if (tag && isScratchDbName(r.datname)) out.push({ name: r.datname, runId: tag.runId, ...(tag.createdAt ? { createdAt: tag.createdAt } : {}) });
      }
      return withRoles(out, await withAdmin(opts.adminUrl, (c) => taggedRoles(c)));
    },
  };
}
