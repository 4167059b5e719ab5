import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { EvidenceError, errorMessage } from '../../core/errors.ts';
import { parseTagComment, quoteIdent, quoteLiteral, scratchDbName, tagComment } from '../naming.ts';
import type { ScratchRef } from '../types.ts';



// Roles are server-wide, so pg_dump leaves them out of a database's archive
// while its owners, GRANTs and policies still name them. Before a restore
// that keeps privileges, the roles the archive names and the scratch server
// lacks are created NOLOGIN and tagged with the run id (a comment, like the
// scratch database), and dropped again at cleanup. A role that already
// exists is never altered, granted or dropped.

const NOT_ROLES = new Set(['public', 'current_user', 'session_user', 'current_role']);
const STATEMENT = /^(GRANT|REVOKE|CREATE POLICY|ALTER DEFAULT PRIVILEGES|SET SESSION AUTHORIZATION|ALTER .* OWNER TO)\b/;

/** Words, quoted identifiers and parenthesised groups (kept whole), commas, the final semicolon. */
function tokens(stmt: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < stmt.length) {
    const c = stmt[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === ',' || c === ';') {
      out.push(c);
      i++;
    } else {
      let j = i;
      let depth = 0;
      while (j < stmt.length) {
        const d = stmt[j]!;
        if (d === '"' || d === "'") {
          const close = stmt.indexOf(d, j + 1);
          j = close < 0 ? stmt.length : close + 1;
          // A doubled quote is an escaped one: keep reading the same literal.
          while (stmt[j] === d) j = Math.max(j + 1, stmt.indexOf(d, j + 1) + 1);
          continue;
        }
        if (d === '(') depth++;
        else if (d === ')') depth--;
        else if (depth === 0 && (/\s/.test(d) || d === ',' || d === ';')) break;
        j++;
      }
      out.push(stmt.slice(i, j));
      i = j;
    }
  }
  return out;
}

function unquote(ident: string): string {
  return ident.startsWith('"') && ident.endsWith('"') ? ident.slice(1, -1).replace(/""/g, '"') : ident;
}

const isWord = (t: string | undefined, w: string) => t !== undefined && t.toUpperCase() === w;

/** Role names after the keyword `kw` (TO / FROM), up to WITH, USING, GRANTED or the end. */
function rolesAfter(toks: string[], kw: string): string[] {
  const at = toks.findIndex((t) => isWord(t, kw));
  if (at < 0) return [];
  const out: string[] = [];
  for (const t of toks.slice(at + 1)) {
    if (t === ';' || ['WITH', 'USING', 'GRANTED'].some((w) => isWord(t, w))) break;
    if (t !== ',' && !t.startsWith('(')) out.push(t);
  }
  return out;
}

/** Role names in one statement of pg_restore's script (owners, grantees, policy roles, grantors). */
export function rolesInStatement(stmt: string): string[] {
  const toks = tokens(stmt);
  const head = stmt.trimStart().toUpperCase();
  const found: string[] = [];
  if (head.startsWith('GRANT ')) found.push(...rolesAfter(toks, 'TO'));
  else if (head.startsWith('REVOKE ')) found.push(...rolesAfter(toks, 'FROM'));
  else if (head.startsWith('CREATE POLICY ')) found.push(...rolesAfter(toks, 'TO'));
  else if (head.startsWith('SET SESSION AUTHORIZATION ')) found.push(...toks.slice(3, 4).filter((t) => t !== ';' && !isWord(t, 'DEFAULT')));
  else if (head.startsWith('ALTER DEFAULT PRIVILEGES ')) {
    const forRole = toks.findIndex((t, i) => isWord(t, 'ROLE') && (isWord(toks[i - 1], 'FOR') || isWord(toks[i - 1], 'USER')));
    if (forRole >= 0 && toks[forRole + 1]) found.push(toks[forRole + 1]!);
    found.push(...rolesAfter(toks, toks.some((t) => isWord(t, 'REVOKE')) ? 'FROM' : 'TO'));
  } else if (head.startsWith('ALTER ')) found.push(...rolesAfter(toks, 'TO').slice(0, 1));
  return found.map((t) => (t.startsWith("'") ? t.slice(1, -1).replace(/''/g, "'") : t)).map(unquote).filter((r) => r && !NOT_ROLES.has(r.toLowerCase()) && !r.startsWith('pg_'));
}

/** Every role a restore script names, sorted, each once. */
export function rolesInScript(sql: string): string[] {
  const roles = new Set<string>();
  let stmt: string | undefined;
  for (const line of sql.split('\n')) {
    if (stmt === undefined && !STATEMENT.test(line)) continue;
    stmt = stmt === undefined ? line : `${stmt}\n${line}`;
    if (!line.trimEnd().endsWith(';')) continue;
    for (const r of rolesInStatement(stmt)) roles.add(r);
    stmt = undefined;
  }
  return [...roles].sort();
}

export interface RoleSetup {
  created: string[];
  existing: string[];
}

/**
 * Create the `needed` roles the server lacks, NOLOGIN and tagged with the run
 * id (one transaction each, so no pdv role is ever untagged). A user that is
 * not superuser is made a member of each, as ALTER … OWNER TO requires.
 */
export async function createMissingRoles(c: pg.Client, needed: string[], runId: string): Promise<RoleSetup> {
  const { rows } = await c.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [needed]);
  const existing = new Set(rows.map((r) => r.rolname));
  const superuser = (await c.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0]?.rolsuper ?? false;
  const created: string[] = [];
  for (const role of needed.filter((r) => !existing.has(r))) {
    try {
      await c.query('BEGIN');
      await c.query(`CREATE ROLE ${quoteIdent(role)} NOLOGIN`);
      await c.query(`COMMENT ON ROLE ${quoteIdent(role)} IS ${quoteLiteral(tagComment(runId))}`);
      if (!superuser) await c.query(`GRANT ${quoteIdent(role)} TO CURRENT_USER`);
      await c.query('COMMIT');
      created.push(role);
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      // Another run created it a moment ago: it exists, so it is not ours to tag or drop.
      if ((err as { code?: string }).code === '42710') {
        existing.add(role);
        continue;
      }
      throw new EvidenceError(
        `the archive names role(s) the scratch server lacks (${needed.filter((r) => !existing.has(r)).join(', ')}) and creating "${role}" was refused: ${errorMessage(err)} — give the scratch user CREATEROLE, create them (stages.dr.roles: 'existing'), or restore without privileges (stages.dr.privileges: 'none')`,
        { cause: err },
      );
    }
  }
  return { created, existing: needed.filter((r) => existing.has(r)) };
}

/** Roles tagged by pdv runs (optionally one run's). */
export async function taggedRoles(c: pg.Client, runId?: string): Promise<Array<{ name: string; runId: string; createdAt?: string }>> {
  const { rows } = await c.query<{ rolname: string; comment: string | null }>(
    `SELECT rolname, shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE shobj_description(oid, 'pg_authid') LIKE 'pdv:run-id=%'`,
  );
  const out: Array<{ name: string; runId: string; createdAt?: string }> = [];
  for (const r of rows) {
    const tag = parseTagComment(r.comment);
    if (tag && (runId === undefined || tag.runId === runId)) out.push({ name: r.rolname, runId: tag.runId, ...(tag.createdAt ? { createdAt: tag.createdAt } : {}) });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Drop the roles a run created; one another run's copy still depends on stays (named in the error). */
export async function dropRunRoles(c: pg.Client, runId: string): Promise<void> {
  const kept: string[] = [];
  for (const role of await taggedRoles(c, runId)) {
    try {
      await c.query(`DROP ROLE IF EXISTS ${quoteIdent(role.name)}`);
    } catch (err) {
      kept.push(`${role.name} (${errorMessage(err)})`);
    }
  }
  if (kept.length) throw new Error(`could not drop role(s) ${kept.join('; ')}`);
}

/** Roles that exist now and did not before (a roles SQL file ran): tagged with the run id so cleanup drops them. */
export async function tagNewRoles(c: pg.Client, before: Set<string>, runId: string): Promise<string[]> {
  const { rows } = await c.query<{ rolname: string }>('SELECT rolname FROM pg_roles');
  const fresh = rows.map((r) => r.rolname).filter((r) => !before.has(r));
  for (const role of fresh) await c.query(`COMMENT ON ROLE ${quoteIdent(role)} IS ${quoteLiteral(tagComment(runId))}`);
  return fresh;
}

export async function roleNames(c: pg.Client): Promise<Set<string>> {
  return new Set((await c.query<{ rolname: string }>('SELECT rolname FROM pg_roles')).rows.map((r) => r.rolname));
}

/** Before pg_restore: the roles the archive needs, created (tagged) or required to exist. */
export async function prepareRoles(c: pg.Client, needed: string[], runId: string, mode: 'create' | 'existing'): Promise<RoleSetup> {
  if (needed.length === 0) return { created: [], existing: [] };
  if (mode === 'create') return createMissingRoles(c, needed, runId);
  const have = await roleNames(c);
  const missing = needed.filter((r) => !have.has(r));
  if (missing.length) {
    throw new EvidenceError(`the archive names role(s) the scratch server lacks: ${missing.join(', ')} (stages.dr.roles is 'existing': create them there, or set roles: 'create')`);
  }
  return { created: [], existing: needed };
}

/** Run the user's roles/grants SQL on the restored copy; roles it creates get the run's tag. Its failure is the harness input's: errored. */
export async function applyRolesSql(databaseUrl: string, file: string, runId: string): Promise<void> {
  let sql: string;
  try {
    sql = await readFile(file, 'utf8');
  } catch (err) {
    throw new EvidenceError(`cannot read stages.dr.rolesSql ${file}: ${errorMessage(err)}`, { cause: err });
  }
  const c = new pg.Client({ connectionString: databaseUrl });
  try {
    await c.connect();
    const before = await roleNames(c);
    try {
      await c.query(sql);
    } finally {
      // Tag what it created even when a later statement failed, so cleanup still finds it.
      await tagNewRoles(c, before, runId);
    }
  } catch (err) {
    throw new EvidenceError(`stages.dr.rolesSql ${file} failed on the restored copy: ${errorMessage(err)}`, { cause: err });
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Scratch databases with the roles their run created; roles whose database is gone are listed under its name. */
export function withRoles(dbs: ScratchRef[], roles: Array<{ name: string; runId: string; createdAt?: string }>): ScratchRef[] {
  const out = dbs.map((d) => ({ ...d }));
  for (const role of roles) {
    let ref = out.find((d) => d.runId === role.runId);
    if (!ref) {
      ref = { name: scratchDbName(role.runId), runId: role.runId, ...(role.createdAt ? { createdAt: role.createdAt } : {}) };
      out.push(ref);
    }
    ref.roles = [...(ref.roles ?? []), role.name];
  }
  return out;
}
