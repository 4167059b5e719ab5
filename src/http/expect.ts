import { z } from 'zod';

// Expectations on an HTTP answer, declared in config: status, JSON fields,
// headers, body text. Used by readiness (what "ready" looks like) and by the
// declarative smoke checks. Pure: evaluate() only looks at what it is given.

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const matcherSchema = z.union([
  scalar,
  z
    .object({
      equals: scalar.optional(),
      notEquals: scalar.optional(),
      oneOf: z.array(scalar).min(1).optional(),
      /** A regular expression the (string form of the) value must match. */
      matches: z.string().min(1).optional(),
      type: z.enum(['string', 'number', 'boolean', 'object', 'array', 'null']).optional(),
      exists: z.boolean().optional(),
      gt: z.number().optional(),
      gte: z.number().optional(),
      lt: z.number().optional(),
      lte: z.number().optional(),
      /** Arrays and strings: at least this many items / characters. */
      minLength: z.number().int().min(0).optional(),
    })
    .strict()
    .superRefine((m, ctx) => {
      if (m.matches !== undefined) {
        try {
          new RegExp(m.matches);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `matches: not a regular expression (${(err as Error).message})` });
        }
      }
      if (Object.keys(m).length === 0) ctx.addIssue({ code: 'custom', message: 'an empty matcher expects nothing' });
    }),
]);
export type Matcher = z.infer<typeof matcherSchema>;

const status = z.number().int().min(100).max(599);
/** A status, a list, or a class such as "2xx". */
export const statusSpecSchema = z.union([status, z.array(z.union([status, z.string().regex(/^[1-5]xx$/)])).min(1), z.string().regex(/^[1-5]xx$/)]);
export type StatusSpec = z.infer<typeof statusSpecSchema>;

/** JSON path (dotted; `*` matches every key or item at that level) → matcher. */
export const jsonExpectSchema = z.record(z.string().regex(/^[A-Za-z0-9_$*-]+(\.[A-Za-z0-9_$*-]+)*$/, 'a dotted JSON path (e.g. status, checks.*, data.items.0.id)'), matcherSchema);

export const responseExpectSchema = z
  .object({
    status: statusSpecSchema.optional(),
    json: jsonExpectSchema.optional(),
    /** Header name → matcher (a string means equals; `{ exists: true }` only presence). */
    headers: z.record(z.string().min(1), matcherSchema).optional(),
    /** Text the body must contain (each). */
    bodyContains: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Text the body must not contain (each). */
    bodyExcludes: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  })
  .strict();
export type ResponseExpect = z.infer<typeof responseExpectSchema>;

export function statusMatches(spec: StatusSpec | undefined, code: number, fallback: StatusSpec = '2xx'): boolean {
  const list = Array.isArray(spec ?? fallback) ? (spec ?? fallback) as Array<number | string> : [spec ?? fallback];
  return list.some((s) => (typeof s === 'number' ? s === code : Math.floor(code / 100) === Number(s[0])));
}

export function describeStatus(spec: StatusSpec | undefined, fallback: StatusSpec = '2xx'): string {
  const v = spec ?? fallback;
  return Array.isArray(v) ? v.join(' or ') : String(v);
}

/** Every value at a dotted path; `*` fans out over object values / array items. */
export function valuesAt(root: unknown, path: string): Array<{ path: string; value: unknown; present: boolean }> {
  let frontier: Array<{ path: string; value: unknown; present: boolean }> = [{ path: '', value: root, present: true }];
  for (const seg of path.split('.')) {
    const next: typeof frontier = [];
    for (const f of frontier) {
      const at = (p: string): string => (f.path ? `${f.path}.${p}` : p);
      if (seg === '*') {
        if (f.value && typeof f.value === 'object') {
          for (const [k, v] of Object.entries(f.value as Record<string, unknown>)) next.push({ path: at(k), value: v, present: true });
        }
        continue;
      }
      const container = f.value && typeof f.value === 'object' ? (f.value as Record<string, unknown>) : undefined;
      const present = !!container && Object.prototype.hasOwnProperty.call(container, seg);
      next.push({ path: at(seg), value: present ? container[seg] : undefined, present: f.present && present });
    }
    frontier = next;
  }
  return frontier;
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

/** Why `value` does not satisfy `m`, or undefined when it does. */
export function mismatch(m: Matcher, value: unknown, present: boolean): string | undefined {
  if (m === null || typeof m !== 'object') {
    if (!present) return `missing (expected ${show(m)})`;
    return value === m ? undefined : `is ${show(value)}, expected ${show(m)}`;
  }
  if (m.exists === false) return present ? `is present (${show(value)}), expected absent` : undefined;
  if (!present) return m.exists === undefined && Object.keys(m).length === 0 ? undefined : 'missing';
  if (m.type !== undefined && typeOf(value) !== m.type) return `is ${typeOf(value)} ${show(value)}, expected ${m.type}`;
  if (m.equals !== undefined && value !== m.equals) return `is ${show(value)}, expected ${show(m.equals)}`;
  if (m.notEquals !== undefined && value === m.notEquals) return `is ${show(value)}, expected anything else`;
  if (m.oneOf !== undefined && !m.oneOf.some((o) => o === value)) return `is ${show(value)}, expected one of ${show(m.oneOf)}`;
  if (m.matches !== undefined) {
    const s = typeof value === 'string' ? value : JSON.stringify(value);
    if (!new RegExp(m.matches).test(s ?? '')) return `is ${show(value)}, expected to match /${m.matches}/`;
  }
  for (const [op, bound] of [['gt', m.gt], ['gte', m.gte], ['lt', m.lt], ['lte', m.lte]] as const) {
    if (bound === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) return `is ${show(value)}, expected a number ${op} ${bound}`;
    const ok = op === 'gt' ? value > bound : op === 'gte' ? value >= bound : op === 'lt' ? value < bound : value <= bound;
    if (!ok) return `is ${value}, expected ${op} ${bound}`;
  }
  if (m.minLength !== undefined) {
    const len = typeof value === 'string' || Array.isArray(value) ? value.length : undefined;
    if (len === undefined || len < m.minLength) return `has length ${len ?? 'none'}, expected at least ${m.minLength}`;
  }
  return undefined;
}

export interface Answer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function parseJson(body: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

/** Every unmet expectation, in words; empty means the answer is as expected. */
export function evaluate(expect: ResponseExpect, answer: Answer, defaultStatus: StatusSpec = '2xx'): string[] {
  const out: string[] = [];
  if (!statusMatches(expect.status, answer.status, defaultStatus)) out.push(`HTTP ${answer.status}, expected ${describeStatus(expect.status, defaultStatus)}`);
  if (expect.json) {
    const parsed = parseJson(answer.body);
    if (!parsed.ok) out.push('the body is not JSON');
    else {
      for (const [path, m] of Object.entries(expect.json)) {
        const values = valuesAt(parsed.value, path);
        if (path.includes('*') && values.length === 0) {
          out.push(`${path}: nothing there`);
          continue;
        }
        for (const v of values) {
          const why = mismatch(m, v.value, v.present);
          if (why) out.push(`${v.path}: ${why}`);
        }
      }
    }
  }
  for (const [name, m] of Object.entries(expect.headers ?? {})) {
    const raw = answer.headers[name.toLowerCase()];
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    const why = mismatch(m, value, value !== undefined);
    if (why) out.push(`header ${name}: ${why}`);
  }
  for (const text of list(expect.bodyContains)) if (!answer.body.includes(text)) out.push(`the body does not contain ${show(text)}`);
  for (const text of list(expect.bodyExcludes)) if (answer.body.includes(text)) out.push(`the body contains ${show(text)}`);
  return out;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
