import { describe, expect, it } from 'vitest';
import { raw } from './escape.ts';
import { dataTable, facts, statusBadge } from './kit.ts';

describe('section kit', () => {
  it('dataTable escapes cells, keeps raw() and right-aligns numbers', () => {
    const t = dataTable(['route', 'p99 <ms>'], [['/api/<x>', 12.3456789], [raw('<b>ok</b>'), NaN]]);
    expect(t).toContain('<th>p99 &lt;ms&gt;</th>');
    expect(t).toContain('<td>/api/&lt;x&gt;</td><td class="num">12.3457</td>');
    expect(t).toContain('<td><b>ok</b></td><td class="num">–</td>');
  });
  it('facts drops empty values and escapes the rest', () => {
    const f = facts([['grade', 'A<'], ['skip', undefined]]);
    expect(f).toBe('<dl class="facts kit"><div><dt>grade</dt><dd>A&lt;</dd></div></dl>');
  });
  it('statusBadge keeps the class safe', () => {
    expect(statusBadge('failed" onclick="x')).toBe('<span class="status failedonclickx">failed&quot; onclick=&quot;x</span>');
  });
});
