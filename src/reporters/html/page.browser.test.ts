import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutChromium } from '../../../e2e/helpers/binaries.ts';
import { chromiumLaunchOptions, findChromium } from '../../platform/browser.ts';
import { failedRollbackReport, hostileReport } from '../_fixtures.ts';
import { lineChart } from './charts.ts';
import { buildHtml } from './page.ts';
import type { SectionRenderer } from './section.ts';

// The page opened in a real browser from file://, as someone opening a CI
// artifact would: it must render, run its own script, fetch nothing and run
// nothing from the target.

// 1x1 transparent PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

describe.skipIf(skipWithoutChromium(findChromium()))('index.html in Chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await chromium.launch(chromiumLaunchOptions());
    dir = await mkdtemp(join(tmpdir(), 'pdv-html-'));
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(name: string, page: string): Promise<{ p: import('playwright-core').Page; requests: string[]; problems: string[] }> {
    await writeFile(join(dir, name), page);
    const p = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    p.on('request', (r) => requests.push(r.url()));
    p.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    p.on('pageerror', (e) => problems.push(e.message));
    p.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await p.goto(pathToFileURL(join(dir, name)).href);
    return { p, requests, problems };
  }

  it('renders offline: banner, alarm first, screenshot inline, working filters, no foreign requests', async () => {
    await mkdir(join(dir, 'smoke'), { recursive: true });
    await writeFile(join(dir, 'smoke', 'health.png'), PNG);
    const registry: Record<string, SectionRenderer> = {
      load: { title: 'Load', render: () => lineChart({ series: [{ name: 'p99', points: [{ x: 0, y: 1 }, { x: 1, y: 2 }] }], yUnit: 'ms', title: 'p99' }) },
    };
    const { p, requests, problems } = await open('index.html', buildHtml({ ...failedRollbackReport, extras: { load: {} } }, registry));
    try {
      expect(await p.locator('body > *').first().getAttribute('class')).toBe('alarm');
      expect(await p.locator('#verdict h1').innerText()).toContain('ROLLBACK');
      expect(await p.locator('#extra-load svg.chart').count()).toBe(1);
      const img = p.locator('img[src="smoke/health.png"]');
      await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1);

      const rows = p.locator('#checks tbody tr');
      expect(await rows.count()).toBe(3);
      await p.locator('.filters button[data-filter="passed"]').click();
      expect(await p.locator('#checks tbody tr:not([hidden])').count()).toBe(1);
      await p.locator('.filters button[data-filter="all"]').click();
      expect(await p.locator('#checks tbody tr:not([hidden])').count()).toBe(3);

      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('shows hostile text as text and runs none of it', async () => {
    const { p, problems } = await open('hostile.html', buildHtml(hostileReport));
    try {
      expect(await p.locator('#reasons').innerText()).toContain('<script>alert(1)</script>');
      expect(await p.locator('script').count()).toBe(1);
      expect(problems.filter((m) => m.startsWith('dialog'))).toEqual([]);
    } finally {
      await p.close();
    }
  });
});
