// Scratch copies are named and tagged with the run id so a later run (or
// `pdv dr cleanup`) can tell pdv's leftovers from anything else.

export const TAG_KEY = 'pdv:run-id';
const PREFIX_DB = 'pdv_dr_';
const PREFIX_RDS = 'pdv-dr-';

/** PostgreSQL / PGlite scratch name: `pdv_dr_<runid>`, lower-case, ≤ 63 bytes. */
export function scratchDbName(runId: string): string {
  const slug = runId.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return (PREFIX_DB + (slug || 'run')).slice(0, 63);
}

/** RDS instance id: letters, digits, single hyphens, starts with a letter, ≤ 63. */
export function scratchInstanceId(runId: string): string {
  const slug = runId.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return (PREFIX_RDS + (slug || 'run')).slice(0, 63).replace(/-+$/, '');
}

export function isScratchDbName(name: string): boolean {
  return name.startsWith(PREFIX_DB);
}

export function isScratchInstanceId(name: string): boolean {
  return name.startsWith(PREFIX_RDS);
}

/** The COMMENT ON DATABASE text: `pdv:run-id=<id> created=<iso>`. */
export function tagComment(runId: string, at: Date = new Date()): string {
  return `${TAG_KEY}=${runId} created=${at.toISOString()}`;
}

export function parseTagComment(comment: string | null | undefined): { runId: string; createdAt?: string } | undefined {
  if (!comment) return undefined;
  const m = /(?:^|\s)pdv:run-id=(\S+)(?:\s+created=(\S+))?/.exec(comment);
  if (!m?.[1]) return undefined;
  return m[2] ? { runId: m[1], createdAt: m[2] } : { runId: m[1] };
}

/** Quote an identifier (possibly schema-qualified) for SQL. */
export function quoteIdent(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The scratch name for a driver: a database/folder name, or an RDS instance id. */
export function scratchNameFor(kind: 'pglite' | 'postgres' | 'rds', runId: string): string {
  return kind === 'rds' ? scratchInstanceId(runId) : scratchDbName(runId);
}
