import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateVerdict } from '../src/reporters/schema.ts';
import { readVerdict, runCli } from './helpers/cli.ts';
import { mountTmpfs, skipWithoutTmpfs, type Tmpfs } from './helpers/tmpfs.ts';

// Issue 23, the record rule (docs/reports.md) through the real CLI: the run
// folder is on a tmpfs that fills up after the first verdict.json — the
// rollback command itself fills it, leaving one page — so the rewrite after
// the actions cannot write index.html (nor, by its size, maybe verdict.json).
// The exit code must stay the one verdict.json states, and the files that
// could be written (summary.md, junit.xml, the step summary) say what is missing.

const root = mkdtempSync(join(tmpdir(), 'pdv-full-disk-'));
let disk: Tmpfs | undefined;
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/health') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  disk?.unmount();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(root, { recursive: true, force: true });
});

/** The rollback command: fill the file system at argv[2], leaving argv[3] pages free, and leave a marker that it ran. */
const FILL = `import { statfsSync, writeFileSync } from 'node:fs';
const [dir, pages, marker] = process.argv.slice(2);
const s = statfsSync(dir);
writeFileSync(dir + '/filler', Buffer.alloc(Math.max(0, (s.bavail - Number(pages)) * s.bsize)));
writeFileSync(marker, 'rolled back');
`;

describe.skipIf(skipWithoutTmpfs(join(root, 'probe')))('a run folder on a disk that fills up mid-report (real CLI, tmpfs)', () => {
  it('exits with verdict.json\'s verdict; summary.md, junit.xml and the step summary say which part of the record is missing', async () => {
    disk = mountTmpfs(join(root, 'disk'), 1024 * 1024);
    const out = join(disk.dir, 'run');
    const marker = join(root, 'rolled-back.txt');
    const fill = join(root, 'fill.mjs');
    writeFileSync(fill, FILL);
    const step = join(root, 'step-summary.md');
    writeFileSync(step, '');
    const cfg = join(root, 'pdv.config.ts');
    mkdirSync(join(root, 'reports'));
    writeFileSync(
      cfg,
      `export default {
  environments: { staging: { baseUrl: 'http://127.0.0.1:1', health: { path: '/health' },
    rollback: { actions: [{ type: 'command', command: ${JSON.stringify([process.execPath, fill, disk.dir, '1', marker])}, retries: 0 }], verify: { enabled: false } } } },
  stageOrder: ['smoke'],
  stages: { smoke: { checks: [{ id: 'missing', path: '/no-such', severity: 'critical' }] } },
  reportsDir: ${JSON.stringify(join(root, 'reports'))},
};`,
    );
    const r = await runCli(['verify', '--config', cfg, '--base-url', base, '--out', out, '--deploy-id', 'd-full'], { cwd: root, env: { GITHUB_STEP_SUMMARY: step }, timeoutMs: 120_000 });

    // The rollback ran (the disk filled from inside it), and the exit code is verdict.json's verdict.
    expect(existsSync(marker), r.stdout + r.stderr).toBe(true);
    const verdict = readVerdict(out);
    expect(validateVerdict(verdict)).toEqual({ ok: true });
    expect(verdict.verdict).toBe('rollback');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/VERDICT: ROLLBACK/);
    expect(r.stderr).toMatch(/pdv: warning: part of this run's record could not be written: index\.html: ENOSPC/);
    expect(r.stderr).not.toMatch(/failed to record its verdict|internal error/);
    // verdict.json may be too big for the last page; when it could be rewritten, it lists what is missing.
    if (verdict.recordWarnings) expect(verdict.recordWarnings.join('\n')).toMatch(/^index\.html: ENOSPC/m);

    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    const steps = readFileSync(step, 'utf8');
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    for (const [name, text] of [['summary.md', summary], ['step summary', steps]] as const) {
      expect(text, name).toMatch(/part of this run's record could not be written: index\.html: ENOSPC/);
      // One verdict, the recorded one: nothing claims another.
      expect(text.match(/^## pdv verdict.*$/gm), name).toEqual(['## pdv verdict: [ROLLBACK] — staging']);
      expect(text, name).not.toMatch(/failed to record its verdict|\[STAND\]|\[HOLD\]/);
    }
    expect(junit).toMatch(/<property name="pdv.recordWarning" value="part of this run&apos;s record could not be written: index\.html: ENOSPC/);
    expect(junit).toMatch(/name="pdv.verdict" value="rollback"/);
  });
});
