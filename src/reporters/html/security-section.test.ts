import { describe, expect, it } from 'vitest';
import type { VerdictReport } from '../../core/types.ts';
import { securitySection } from '../../stages/security/report.ts';

// The security section of index.html: the posture comparison with the last
// stood run (its id, what was lost, gained, kept), or, on a first run, that
// there was nothing to compare with.

const ctx = { report: {} as VerdictReport, key: 'security' };

describe('security section: posture against the last stood run', () => {
  it('names the run compared with, the counts, and each lost item with then and now (escaped)', () => {
    const html = securitySection.render(
      {
        regression: {
          lastRunId: '20261207-2201-ab12',
          lost: [{ id: 'security.headers.base.x-frame-options', then: 'X-Frame-Options: DENY', now: 'X-Frame-Options <missing>' }],
          gradeDrops: [{ site: 'base', then: 'B', now: 'D' }],
          gained: ['security.exposed.base.source-map'],
          unchanged: 7,
        },
      },
      ctx,
    );
    expect(html).toContain('Posture against the last stood run');
    expect(html).toMatch(/<dt>compared with run<\/dt><dd>20261207-2201-ab12<\/dd>/);
    expect(html).toMatch(/<dt>lost<\/dt><dd>2<\/dd>.*<dt>gained<\/dt><dd>1<\/dd>.*<dt>unchanged<\/dt><dd>7<\/dd>/s);
    expect(html).toContain('<td>headers.base.x-frame-options</td><td>X-Frame-Options: DENY</td><td>X-Frame-Options &lt;missing&gt;</td>');
    expect(html).toContain('<td>grade of base</td><td>B</td><td>D</td>');
    expect(html).toContain('Gained: exposed.base.source-map.');
    expect(html).not.toContain('<missing>');
  });

  it('a first run says there was no earlier stood run: reported, not judged', () => {
    const html = securitySection.render({ regression: { lost: [], gradeDrops: [] } }, ctx);
    expect(html).toContain('No earlier stood run: reported, not judged');
    expect(html).not.toContain('compared with run');
  });

  it('nothing lost: counts only, no lost table', () => {
    const html = securitySection.render({ regression: { lastRunId: 'r1', lost: [], gradeDrops: [], gained: [], unchanged: 5 } }, ctx);
    expect(html).toMatch(/<dt>lost<\/dt><dd>0<\/dd>/);
    expect(html).not.toContain('<th>then</th>');
  });
});
