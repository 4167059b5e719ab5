import { describe, expect, it } from 'vitest';
import { rolesInScript, rolesInStatement } from './pg-roles.ts';

// The statements pg_restore writes that name roles, in the forms pg_dump
// prints them (quoted identifiers where needed, function signatures, policies).

describe('rolesInStatement', () => {
  it.each<[string, string[]]>([
    ['ALTER TABLE api.todos OWNER TO app_owner;', ['app_owner']],
    ['ALTER FUNCTION api.f(a integer, b text) OWNER TO "Mixed Case";', ['Mixed Case']],
    ['ALTER SCHEMA public OWNER TO pg_database_owner;', []],
    ['GRANT SELECT ON TABLE api.todos TO reader;', ['reader']],
    ['GRANT SELECT(id, title),INSERT(title) ON TABLE api.todos TO writer WITH GRANT OPTION;', ['writer']],
    ['GRANT ALL ON FUNCTION api.f(x integer, "to" text) TO web_anon, "we""ird";', ['web_anon', 'we"ird']],
    ['GRANT USAGE ON SCHEMA "to" TO PUBLIC;', []],
    ['REVOKE ALL ON SCHEMA public FROM PUBLIC;', []],
    ['REVOKE ALL ON TABLE api.todos FROM old_role;', ['old_role']],
    ['CREATE POLICY p ON api.todos FOR SELECT TO reader, writer USING ((owner = CURRENT_USER));', ['reader', 'writer']],
    ['CREATE POLICY p ON api.todos USING (true);', []],
    ['CREATE POLICY p ON api.todos FOR INSERT TO writer WITH CHECK ((title <> \'TO x\'::text));', ['writer']],
    ['ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA api GRANT SELECT ON TABLES TO reader;', ['app_owner', 'reader']],
    ['ALTER DEFAULT PRIVILEGES FOR ROLE app_owner REVOKE ALL ON FUNCTIONS FROM PUBLIC;', ['app_owner']],
    ['SET SESSION AUTHORIZATION grantor;', ['grantor']],
    ['SET SESSION AUTHORIZATION DEFAULT;', []],
    ['GRANT SELECT ON TABLE t TO CURRENT_USER, pg_read_all_data;', []],
  ])('%s', (stmt, roles) => {
    expect(rolesInStatement(stmt)).toEqual(roles);
  });
});

describe('rolesInScript', () => {
  it('reads statements over several lines, each role once, and ignores everything else', () => {
    const sql = [
      'SET statement_timeout = 0;',
      'CREATE TABLE api.todos (',
      '    id integer NOT NULL',
      ');',
      'ALTER TABLE api.todos OWNER TO app_owner;',
      'CREATE POLICY p ON api.todos FOR SELECT TO reader',
      '  USING (true);',
      'GRANT SELECT ON TABLE api.todos TO reader;',
      "COMMENT ON TABLE api.todos IS 'GRANT x TO nobody';",
    ].join('\n');
    expect(rolesInScript(sql)).toEqual(['app_owner', 'reader']);
  });
});
