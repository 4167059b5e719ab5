import { XMLValidator } from 'fast-xml-parser';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redactor } from '../core/redact.ts';
import { check, report, rollbackReport } from './_fixtures.ts';
import { defaultReporters } from './defaults.ts';
import { writeReports } from './multiplexer.ts';
import { redactFinal } from './redact-final.ts';
import { validateVerdict } from './schema.ts';
import type { Reporter } from './types.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdv-reports-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function allFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)).sort();
}

const throwing: Reporter = {
  name: 'broken',
  write: async () => {
    throw new Error('disk on fire');
  },
};

describe('writeReports', () => {
  it('writes verdict.json, summary.md, junit.xml and index.html atomically (no temp files left)', async () => {
    const result = await writeReports(rollbackReport, dir, { reporters: defaultReporters({ env: {} }) });
    expect(result.failures).toEqual([]);
    expect(result.written).toEqual(['verdict.json', 'summary.md', 'junit.xml', 'index.html']);
    expect(await allFiles(dir)).toEqual(['index.html', 'junit.xml', 'summary.md', 'verdict.json']);
    const json: unknown = JSON.parse(await readFile(join(dir, 'verdict.json'), 'utf8'));
    expect(validateVerdict(json)).toEqual({ ok: true });
    expect(json).toEqual(JSON.parse(JSON.stringify(rollbackReport)));
  });

  it('replaces files written by an earlier pass (pdv report re-renders)', async () => {
    await writeReports(report(), dir, { reporters: defaultReporters({ env: {} }) });
    await writeReports(rollbackReport, dir, { reporters: defaultReporters({ env: {} }) });
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toContain('[ROLLBACK]');
    expect(await allFiles(dir)).toHaveLength(4);
  });

  it('a throwing reporter is recorded and does not stop the others', async () => {
    const [json, md, junit, html] = defaultReporters({ env: {} });
    const result = await writeReports(report(), dir, [json!, throwing, md!, junit!, html!]);
    expect(result.failures).toEqual([{ reporter: 'broken', error: 'disk on fire' }]);
    expect(result.written).toEqual(['verdict.json', 'summary.md', 'junit.xml', 'index.html']);
  });

  it('an invalid report fails the json reporter (a bug); the human reports say the verdict was not recorded', async () => {
    const bad = { ...report(), verdict: 'maybe' } as unknown as ReturnType<typeof report>;
    const result = await writeReports(bad, dir, defaultReporters({ env: {} }));
    expect(result.failures.map((f) => f.reporter)).toEqual(['json']);
    expect(result.failures[0]!.error).toMatch(/does not match schema/);
    expect(await allFiles(dir)).toEqual(['index.html', 'junit.xml', 'summary.md']);
    for (const f of ['index.html', 'junit.xml', 'summary.md']) expect(await readFile(join(dir, f), 'utf8')).toMatch(/failed to record its verdict/);
  });

  // Issue 13 item 5: when verdict.json cannot be written, no other file claims a verdict.
  it.each([
    ['stand', report()],
    ['rollback', rollbackReport],
  ])('verdict.json blocked on a %s run: every other report and the step summary say the run failed to record its verdict', async (_name, r) => {
    const stepSummary = join(dir, 'step.md');
    await writeFile(stepSummary, '## earlier step\n');
    const run = join(dir, 'run');
    await mkdir(join(run, 'verdict.json', 'in-the-way'), { recursive: true }); // rename onto a folder fails, even as root
    const result = await writeReports(r, run, { reporters: defaultReporters({ env: { GITHUB_STEP_SUMMARY: stepSummary } }) });
    expect(result.failures.map((f) => f.reporter)).toEqual(['json']);
    expect(result.written.sort()).toEqual(['index.html', 'junit.xml', 'summary.md']);
    for (const f of [join(run, 'summary.md'), join(run, 'junit.xml'), join(run, 'index.html'), stepSummary]) {
      const text = await readFile(f, 'utf8');
      expect(text, f).toMatch(/failed to record its verdict/);
      expect(text, f).not.toMatch(/\bstands?\b|\bSTAND\b|ROLLBACK|roll(ed)? back/i);
    }
    expect(await readFile(stepSummary, 'utf8')).toMatch(/^## earlier step\n/);
    expect(XMLValidator.validate(await readFile(join(run, 'junit.xml'), 'utf8'))).toBe(true);
    expect(await readFile(join(run, 'junit.xml'), 'utf8')).toMatch(/<failure /);
  });

  it('a reporter without an unrecorded page writes nothing when verdict.json failed', async () => {
    const [json] = defaultReporters({ env: {} });
    let wrote = false;
    const plain: Reporter = { name: 'plain', write: async () => ((wrote = true), []) };
    await mkdir(join(dir, 'verdict.json', 'x'), { recursive: true });
    const result = await writeReports(report(), dir, [json!, plain]);
    expect(result.failures.map((f) => f.reporter)).toEqual(['json']);
    expect(wrote).toBe(false);
  });

  it('refuses a reporter path that leaves the run folder', async () => {
    const escaping: Reporter = { name: 'escaping', write: async (_r, ctx) => [await ctx.writeText('../outside.txt', 'x')] };
    const result = await writeReports(report(), dir, [escaping]);
    expect(result.failures[0]!.error).toMatch(/escapes the run folder/);
  });

  it('runs the final text of every file through the redactor without breaking its structure', async () => {
    const canary = 'CANARY-s3cr3t-value-9137';
    const leaky = report({
      verdict: 'rollback',
      checks: [
        check({
          id: 'smoke.login',
          severity: 'critical',
          status: 'failed',
          message: `login failed for password ${canary}; sent Authorization: Bearer abcdefghijklmnop`,
          evidence: [{ kind: 'http', label: 'POST /api/login', data: { url: `http://x/api/login?token=${canary}`, body: canary, response: { token: 'eyJhbGciOiJIUzI1NiJ9.unregistered.jwt' } } }],
        }),
      ],
      reasons: [{ checkId: 'smoke.login', stage: 'smoke', severity: 'critical', status: 'failed', message: `leaked ${canary}`, effect: 'rollback' }],
    });
    const stepSummary = join(dir, 'step.md');
    const result = await writeReports(leaky, join(dir, 'run'), {
      reporters: defaultReporters({ env: { GITHUB_STEP_SUMMARY: stepSummary } }),
      redactor: new Redactor([['DEMO_ADMIN_PASSWORD', canary]]),
    });
    expect(result.failures).toEqual([]);
    for (const f of [...result.written.map((w) => join(dir, 'run', w)), stepSummary]) {
      const text = await readFile(f, 'utf8');
      expect(text, f).not.toContain(canary);
      expect(text, f).not.toContain('abcdefghijklmnop');
      expect(text, f).not.toContain('unregistered.jwt'); // secret-named key, blanked before building
    }
    const json = await readFile(join(dir, 'run', 'verdict.json'), 'utf8');
    expect(validateVerdict(JSON.parse(json))).toEqual({ ok: true });
    expect(json).toContain('[REDACTED:DEMO_ADMIN_PASSWORD]');
    expect(XMLValidator.validate(await readFile(join(dir, 'run', 'junit.xml'), 'utf8'))).toBe(true);
    const page = await readFile(join(dir, 'run', 'index.html'), 'utf8');
    expect(page).toMatch(/<\/td>\s*<td class="evidence">/); // the row survived the pass
  });
});

describe('redactFinal', () => {
  const r = new Redactor([['S', 'topsecretvalue']]);
  it('keeps markup intact when a pattern would run to the end of the line', () => {
    const out = redactFinal('<td title="Authorization: Bearer abcdefghijk">cookie: a=b</td><td>next</td>', 'markup', r);
    expect(out).toBe('<td title="Authorization: [REDACTED]">cookie: [REDACTED]</td><td>next</td>');
  });
  it('redacts escaped secrets in text nodes', () => {
    expect(redactFinal('<p>x topsecretvalue y</p>', 'markup', r)).toBe('<p>x [REDACTED:S] y</p>');
  });
  it('decodes entities before matching (an escaped URL still loses its token)', () => {
    expect(redactFinal('<a href="/x?a=1&amp;token=abcdef">x</a>', 'markup', r)).toBe('<a href="/x?a=1&#38;token=[REDACTED]">x</a>');
  });
  it('redacts JSON value by value and keeps it parseable', () => {
    const out = redactFinal(JSON.stringify({ m: 'Authorization: Bearer abcdefghijkl', n: 1 }, null, 2) + '\n', 'json', r);
    expect(JSON.parse(out)).toEqual({ m: 'Authorization: [REDACTED]', n: 1 });
  });
  it('returns clean text untouched (same bytes)', () => {
    const page = '<p title="a &amp; b">x &lt; y</p>';
    expect(redactFinal(page, 'markup', r)).toBe(page);
  });
  it('leaves text alone without a redactor', () => {
    expect(redactFinal('topsecretvalue', 'text', undefined)).toBe('topsecretvalue');
  });
});
