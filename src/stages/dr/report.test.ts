import { describe, expect, it } from 'vitest';
import { drSection } from './report.ts';

describe('dr HTML section', () => {
  const ctx = { report: {} as never, key: 'dr' };
  it('shows RPO/RTO against targets and a row per phase', () => {
    const html = drSection.render(
      {
        driver: 'pglite',
        backup: { id: '/b/demo.tar.gz', createdAt: '2026-11-23T00:00:00Z' },
        rpoMs: 3 * 86_400_000,
        rpoTargetMs: 86_400_000,
        rtoMs: 42_000,
        rtoTargetMs: 300_000,
        phases: [
          { name: 'restore', durationMs: 4000, ok: true },
          { name: 'smoke', durationMs: 9000, ok: false },
        ],
      },
      ctx,
    );
    expect(html).toContain('over target');
    expect(html).toContain('42.0 s (target 5.0 min) ✓');
    expect(html).toContain('<td>restore</td>');
    expect(html).toContain('class="status failed"');
  });
  it('escapes values and survives an empty extra', () => {
    expect(drSection.render({ backup: { id: '<script>', createdAt: 'x' } }, ctx)).not.toContain('<script>');
    expect(drSection.render(undefined, ctx)).toContain('none found');
  });
});
