import { describe, expect, it } from 'vitest';
import { CASES, extrasReport, failedRollbackReport, holdReport, hostileReport, partialReport, report, rollbackReport, warningsReport } from '../_fixtures.ts';
import { checkAnchor } from '../format.ts';
import { buildHtml } from './page.ts';
import type { SectionRenderer } from './section.ts';
import { timelineBars } from './timeline.ts';

const ids = (page: string): Set<string> => new Set([...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
const anchors = (page: string): string[] => [...page.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);

describe('buildHtml', () => {
  it.each([
    ['stand', report(), 'banner stand', 'STAND'],
    ['rollback', rollbackReport, 'banner rollback', 'ROLLBACK'],
    ['hold', holdReport, 'banner hold', 'HOLD'],
  ])('has a verdict banner: %s', (_n, r, cls, label) => {
    const page = buildHtml(r);
    expect(page).toContain(`<header class="${cls}" id="verdict" data-verdict="${r.verdict}">`);
    expect(page).toMatch(new RegExp(`<h1>${label}`));
  });

  it('marks a partial run', () => {
    expect(buildHtml(partialReport)).toContain('PARTIAL RUN');
    expect(buildHtml(report())).not.toContain('PARTIAL RUN');
  });

  it.each(CASES)('every #anchor points at an element on the page: %s', (_n, r) => {
    const page = buildHtml(r);
    const known = ids(page);
    for (const a of anchors(page)) expect(known, `#${a}`).toContain(a);
  });

  it.each(CASES)('is self-contained (nothing fetched from elsewhere): %s', (_n, r) => {
    const page = buildHtml(r);
    expect(page).not.toMatch(/<link\b|<script\s+src|<iframe|@import|url\(/i);
    expect(page).not.toMatch(/\s(?:src|srcset)="(?:https?:)?\/\//i);
    expect(page).toContain('content="default-src &#39;none&#39;;');
  });

  it('links each reason to its check and to its evidence files; screenshots are shown inline', () => {
    const page = buildHtml(rollbackReport);
    const reasons = page.slice(page.indexOf('id="reasons"'), page.indexOf('</section>', page.indexOf('id="reasons"')));
    expect(reasons.indexOf('smoke.health')).toBeLessThan(reasons.indexOf('smoke.favicon')); // most severe first
    expect(reasons).toContain(`href="#${checkAnchor('smoke.health')}"`);
    expect(reasons).toContain('href="smoke/health.png"');
    expect(page).toContain(`<tr id="${checkAnchor('smoke.health')}"`);
    expect(page).toContain('<img src="smoke/health.png" alt="screenshot"');
  });

  it('has a check table with status, severity, attempts, duration and message', () => {
    const page = buildHtml(rollbackReport);
    const row = page.slice(page.indexOf(`<tr id="${checkAnchor('smoke.health')}"`), page.indexOf('</tr>', page.indexOf(`<tr id="${checkAnchor('smoke.health')}"`)));
    expect(row).toContain('<span class="status failed">failed</span>');
    expect(row).toContain('<td>critical</td>');
    expect(row).toContain('<td class="num">3</td>');
    expect(row).toContain('<td class="num">120 ms</td>');
    expect(row).toContain('GET /health → 503 {&quot;status&quot;:&quot;down&quot;}');
  });

  it('lists flaky, quarantined and dry-run warnings', () => {
    const page = buildHtml(warningsReport);
    expect(page).toMatch(/<span class="effect warn">flaky<\/span> <a href="#check-uat.upload">/);
    expect(page).toMatch(/<span class="effect warn">quarantined<\/span>/);
    expect(page).toMatch(/<span class="effect warn">dry-run<\/span>/);
  });

  it('draws one timeline bar per stage from its start offset', () => {
    const bars = timelineBars(report());
    expect(bars.map((b) => [b.name, b.offsetMs, b.durationMs])).toEqual([
      ['smoke', 100, 1500],
      ['uat', 1700, 4000],
    ]);
    // Without startedAt a stage follows the previous one.
    expect(timelineBars(holdReport).map((b) => b.offsetMs)).toEqual([0, 800]);
    const page = buildHtml(report());
    expect(page.match(/<g class="stage-bar"/g)).toHaveLength(2);
  });

  it('draws stages that ran side by side as overlapping bars, one row each', () => {
    const t0 = Date.parse(report().startedAt);
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    const parallel = report({
      stages: [
        { name: 'smoke', status: 'passed', durationMs: 1000, startedAt: at(0) },
        { name: 'uat', status: 'passed', durationMs: 4000, startedAt: at(1000) },
        { name: 'security', status: 'failed', durationMs: 800, startedAt: at(1000) },
        { name: 'load', status: 'passed', durationMs: 2000, startedAt: at(5000) },
        // Stopped by fail-fast elsewhere: its bar ends where it stopped.
        { name: 'dr', status: 'skipped', durationMs: 300, startedAt: at(7000), message: 'stopped: fail-fast after critical check x failed' },
      ],
    });
    expect(timelineBars(parallel).map((b) => [b.name, b.offsetMs, b.durationMs])).toEqual([
      ['smoke', 0, 1000],
      ['uat', 1000, 4000],
      ['security', 1000, 800],
      ['load', 5000, 2000],
      ['dr', 7000, 300],
    ]);
    const rows = [...buildHtml(parallel).matchAll(/<g class="stage-bar" data-stage="([^"]+)">.*?<rect x="[^"]+" y="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(rows.map((r) => r[0])).toEqual(['smoke', 'uat', 'security', 'load', 'dr']);
    expect(new Set(rows.map((r) => r[1])).size).toBe(5);
  });

  it('puts a failed rollback above everything, as an alert', () => {
    const page = buildHtml(failedRollbackReport);
    const alarm = page.indexOf('class="alarm" role="alert"');
    expect(alarm).toBeGreaterThan(0);
    expect(alarm).toBeLessThan(page.indexOf('class="banner'));
    expect(page).toContain('ROLLBACK FAILED: github-workflow — workflow dispatch failed after 2 attempts');
    expect(page).toContain('id="actions"');
    expect(page).toContain('HTTP 502 from api.github.com');
    expect(buildHtml(rollbackReport)).not.toContain('class="alarm"');
  });

  it('says which part of the record could not be written, above the verdict it does not change', () => {
    const page = buildHtml({ ...rollbackReport, recordWarnings: ['summary.md: ENOSPC: no space left on device, write', '<b>x</b>: y'] });
    const alert = page.indexOf('id="record-warnings"');
    expect(alert).toBeGreaterThan(0);
    expect(alert).toBeLessThan(page.indexOf('class="banner'));
    expect(page).toContain("part of this run&#39;s record could not be written: summary.md: ENOSPC: no space left on device, write");
    expect(page).toContain('&lt;b&gt;x&lt;/b&gt;: y');
    expect(page).toContain('data-verdict="rollback"');
    expect(buildHtml(rollbackReport)).not.toContain('record-warnings');
  });

  it('escapes everything that comes from the target', () => {
    const page = buildHtml(hostileReport);
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('</pre><script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('Home &lt;b&gt;renders&lt;/b&gt; &amp; &quot;quotes&quot;');
    expect(page).not.toMatch(/href="javascript:/i);
    expect(page).not.toContain('href="../../etc/passwd"');
    // Only our own script element.
    expect(page.match(/<script/g)).toHaveLength(1);
  });

  it('renders extras through the section registry; unknown keys as collapsed JSON', () => {
    const registry: Record<string, SectionRenderer> = {
      load: { title: 'Load', render: (v) => `<p class="load-p99">p99 ${(v as { p99: number }).p99} ms</p>` },
    };
    const page = buildHtml(extrasReport, registry);
    expect(page).toContain('<section id="extra-load" class="extra" data-extra="load"><h2>Load</h2><p class="load-p99">p99 180 ms</p></section>');
    const mystery = page.slice(page.indexOf('id="extra-mystery"'));
    expect(mystery).toMatch(/^id="extra-mystery" class="extra" data-extra="mystery"><h2>mystery<\/h2><details><summary>/);
    expect(mystery).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('<img src=x');
  });

  it('falls back to JSON when a section renderer throws', () => {
    const registry: Record<string, SectionRenderer> = {
      load: {
        title: 'Load',
        render: () => {
          throw new Error('bad <shape>');
        },
      },
    };
    const page = buildHtml(extrasReport, registry);
    expect(page).toContain('This section could not be drawn (bad &lt;shape&gt;)');
    expect(page).toContain('&quot;p99&quot;: 180');
  });
});
