import type pg from 'pg';
import { errorMessage } from '../core/errors.ts';
import { AbortedError } from './bound.ts';
import type { Assertion } from './types.ts';

// Is the harness's PostgreSQL login really read-only? Decided from the
// database's own answers, without writing: a standby (pg_is_in_recovery), a
// session that is read-only by default (default_transaction_read_only), and
// the login's write privileges on every table of the schemas it can use.
// Only when those say nothing is a write tried, in a transaction that is
// always rolled back. On PostgreSQL 15 every non-owner is refused CREATE in
// `public`, so a refused CREATE TABLE alone proves nothing about INSERT.

type Step = <T>(work: Promise<T>, what: string) => Promise<T>;

/** Error codes that mean "this role may not write": insufficient_privilege, read_only_sql_transaction. */
const REFUSED = new Set(['42501', '25006']);
const NAME = 'read-only role';
const SHOWN = 8;

/**
 * Every write privilege the login holds: INSERT/UPDATE (on the table or any of its
 * columns), DELETE and TRUNCATE on the tables, views and foreign tables of every
 * schema it may use, CREATE on those schemas, and CREATE on the database.
 */
const WRITE_PRIVILEGES = `
  SELECT format('%s on %I.%I', p.priv, n.nspname, c.relname) AS grant
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p(priv)
   WHERE c.relkind IN ('r', 'p', 'v', 'f')
     AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
     AND has_schema_privilege(n.oid, 'USAGE')
     AND CASE WHEN p.priv IN ('INSERT', 'UPDATE') THEN has_any_column_privilege(c.oid, p.priv) ELSE has_table_privilege(c.oid, p.priv) END
  UNION ALL
  SELECT format('CREATE on schema %I', n.nspname)
    FROM pg_namespace n
   WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' AND has_schema_privilege(n.oid, 'CREATE')
  UNION ALL
  SELECT format('CREATE on database %I', current_database()) WHERE has_database_privilege(current_database(), 'CREATE')
  ORDER BY 1`;

/** How many tables the login can see in schemas it may use (for the evidence of a clean answer). */
const TABLES_SEEN = `
  SELECT count(*)::int AS n, coalesce(string_agg(DISTINCT n.nspname, ', '), '') AS schemas
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'v', 'f') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' AND has_schema_privilege(n.oid, 'USAGE')`;

export async function readOnlyAssertion(client: pg.Client, step: Step): Promise<Assertion> {
  const recovery = await step(client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'), 'pg_is_in_recovery');
  if (recovery.rows[0]?.r === true) return { name: NAME, ok: true, detail: 'the server is a standby (pg_is_in_recovery() is true): it accepts no writes' };
  const grants = (await step(client.query<{ grant: string }>(WRITE_PRIVILEGES), 'write privileges')).rows.map((r) => r.grant);
  const ro = await step(client.query<{ v: string }>('SELECT current_setting($1) AS v', ['default_transaction_read_only']), 'default_transaction_read_only');
  const readOnlyDefault = ro.rows[0]?.v === 'on';
  if (grants.length) {
    const list = `${grants.slice(0, SHOWN).join(', ')}${grants.length > SHOWN ? ` and ${grants.length - SHOWN} more` : ''}`;
    // A read-only default keeps pdv's own sessions from writing, but the login could turn it off: still a finding.
    return { name: NAME, ok: false, detail: `the harness login holds write privileges: ${list}${readOnlyDefault ? ' (default_transaction_read_only is on, but any session may turn it off)' : ''}; grant it SELECT only` };
  }
  if (readOnlyDefault) return { name: NAME, ok: true, detail: 'default_transaction_read_only is on and the login holds no write privilege on any table, schema or the database' };
  const seen = (await step(client.query<{ n: number; schemas: string }>(TABLES_SEEN), 'tables')).rows[0];
  const clean = `no INSERT, UPDATE, DELETE or TRUNCATE on any of ${seen?.n ?? 0} tables in ${seen?.schemas || 'the schemas it may use'}, no CREATE`;
  return await writeRefused(client, step, clean);
}

/** The privileges said nothing: try a write inside a transaction that is always rolled back. */
async function writeRefused(client: pg.Client, step: Step, clean: string): Promise<Assertion> {
  const table = `pdv_write_probe_${process.pid}_${Date.now()}`;
  await step(client.query('BEGIN'), 'begin');
  try {
    await step(client.query(`CREATE TABLE ${table} (x int)`), 'write attempt');
    return { name: NAME, ok: false, detail: `${clean}, yet the login could create a table (rolled back): database access must be read-only` };
  } catch (err) {
    if (err instanceof AbortedError) throw err;
    const code = (err as { code?: string }).code;
    if (code && REFUSED.has(code)) return { name: NAME, ok: true, detail: `${clean}; a CREATE TABLE was refused (${code}: ${errorMessage(err)})` };
    return { name: NAME, ok: false, detail: `${clean}, but the write attempt failed for another reason than a refusal: ${errorMessage(err)}` };
  } finally {
    await step(client.query('ROLLBACK'), 'rollback').catch(() => undefined);
  }
}
