import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { tableChecksum } from './manifest.ts';

// docs/dr.md gives the checksum recipe with a worked example. The example's
// numbers are read from the page itself: each step by hand, and pdv's own
// checksum on the same three rows in PostgreSQL, must give them.

const DOC = readFileSync(join(import.meta.dirname, '../../docs/dr.md'), 'utf8');
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

function example() {
  const rows = [...DOC.matchAll(/^\| (\d) \| `(\(\d,\w+\))` \| `([0-9a-f]{32})` \|$/gm)].map((m) => ({ id: Number(m[1]), text: m[2]!, md5: m[3]! }));
  const joined = /Sorted and joined: `([0-9a-f,]+)`/.exec(DOC)?.[1];
  const checksum = /over `"\*"`: \*\*`([0-9a-f]{32})`\*\*/.exec(DOC)?.[1];
  return { rows, joined, checksum };
}

describe('the checksum recipe in docs/dr.md', () => {
  it('has its worked example: three rows, the joined string and the checksum', () => {
    const ex = example();
    expect(ex.rows).toHaveLength(3);
    expect(ex.joined).toBeDefined();
    expect(ex.checksum).toBeDefined();
  });

  it('each step of the example follows from the one before', () => {
    const ex = example();
    for (const r of ex.rows) expect(md5(r.text), r.text).toBe(r.md5);
    expect(ex.rows.map((r) => r.md5).sort().join(',')).toBe(ex.joined);
    expect(md5(ex.joined!)).toBe(ex.checksum);
    expect(md5('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(DOC).toContain('`d41d8cd98f00b204e9800998ecf8427e`');
  });

  it("pdv's checksum of the example table in PostgreSQL is the documented value", async () => {
    const ex = example();
    const db = new PGlite();
    try {
      await db.query('CREATE TABLE colors (id int PRIMARY KEY, name text)');
      await db.query(`INSERT INTO colors VALUES (1, 'red'), (2, 'green'), (3, 'blue')`);
      const texts = await db.query<{ t: string }>('SELECT c::text AS t FROM colors c ORDER BY id');
      expect(texts.rows.map((r) => r.t)).toEqual(ex.rows.map((r) => r.text));
      expect(await tableChecksum(db, 'colors', '*')).toBe(ex.checksum);
      await db.query('CREATE TABLE empty_t (id int)');
      expect(await tableChecksum(db, 'empty_t', '*')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    } finally {
      await db.close();
    }
  });
});
