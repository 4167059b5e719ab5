import pg from 'pg';
import { errorMessage } from '../core/errors.ts';
import { compareMigrations, migrationVersion, sameMigration } from '../dr/manifest.ts';
import { AbortedError, bounded } from './bound.ts';
import type { PostgresDependency } from './config.ts';
import { readOnlyAssertion } from './pg-readonly.ts';
import { harnessFault, outcomeOf, type Assertion, type ProbeOutcome } from './types.ts';

// PostgreSQL, directly: connect within a bound, `select 1`, the live schema's
// migration version against the release's (DR's comparison: numeric and
// semver aware), and, when asked, that the harness's role cannot write.

export interface PostgresProbeOptions {
  url: string;
  /** The release's migration version (resolved from expectedMigration / migrationsDir). */
  expectedMigration?: string;
  signal?: AbortSignal;
}

export async function probePostgres(dep: PostgresDependency, opts: PostgresProbeOptions): Promise<ProbeOutcome> {
  const assertions: Assertion[] = [];
  const client = new pg.Client({
    connectionString: opts.url,
    connectionTimeoutMillis: dep.connectTimeout,
    query_timeout: dep.timeout,
    statement_timeout: dep.timeout,
    application_name: 'pdv-smoke',
  });
  client.on('error', () => undefined); // a dropped connection surfaces through the pending query
  const close = (): void => void client.end().catch(() => undefined);
  const step = <T>(work: Promise<T>, what: string, ms = dep.timeout): Promise<T> => bounded(work, ms + 500, what, opts.signal, close);
  try {
    const started = Date.now();
    try {
      await step(client.connect(), 'connect', dep.connectTimeout);
    } catch (err) {
      if (err instanceof AbortedError) return harnessFault(err.message);
      assertions.push({ name: 'connect', ok: false, detail: errorMessage(err) });
      return outcomeOf(assertions, '');
    }
    assertions.push({ name: 'connect', ok: true, detail: `connected in ${Date.now() - started} ms` });

    const t0 = Date.now();
    const one = await step(client.query<{ one: number }>('select 1 as one'), 'select 1');
    const ms = Date.now() - t0;
    assertions.push({ name: 'select 1', ok: one.rows[0]?.one === 1, detail: `answered ${JSON.stringify(one.rows[0] ?? null)} in ${ms} ms` });

    let observed: string | undefined;
    if (opts.expectedMigration !== undefined) {
      const expected = opts.expectedMigration;
      try {
        const live = await step(migrationVersion(client, dep.migrationsTable), 'migration version');
        observed = live ?? '(none)';
        const ok = live !== null && sameMigration(live, expected);
        const how = ok ? 'matches' : live === null ? 'no migration applied' : compareMigrations(live, expected) < 0 ? 'behind the release' : 'ahead of the release';
        assertions.push({ name: 'migration version', ok, detail: `live schema at ${observed}, the release expects ${expected} (${how})` });
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        assertions.push({ name: 'migration version', ok: false, detail: `${dep.migrationsTable} is not readable: ${errorMessage(err)}` });
      }
    }

    if (dep.readOnly) assertions.push(await readOnlyAssertion(client, step));

    return outcomeOf(assertions, `reachable, select 1 in ${ms} ms${observed !== undefined ? `, migration ${observed}` : ''}${dep.readOnly ? ', writes refused' : ''}`, {
      ...(observed !== undefined ? { observed, limit: opts.expectedMigration } : { observed: ms, unit: 'ms' }),
    });
  } catch (err) {
    if (err instanceof AbortedError) return harnessFault(err.message, assertions);
    assertions.push({ name: 'query', ok: false, detail: errorMessage(err) });
    return outcomeOf(assertions, '');
  } finally {
    close();
  }
}
