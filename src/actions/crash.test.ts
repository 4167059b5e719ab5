import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Redactor } from '../core/redact.ts';
import { fixtureConfig, fixtureReport } from './_testing.ts';
import { ledgerPath, readEntry } from './ledger.ts';
import { runActions } from './index.ts';

// A run that dies between "intent" and "result" must not be followed by a
// second firing: pdv cannot know whether the first one reached the target.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pdv-crash-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const marker = () => join(dir, 'fired.log');
// The rollback command notes that it fired (and its pid), then takes its time.
const rollbackEnv = () => ({
  rollback: { actions: [{ type: 'command', name: 'switch-back', command: `echo $$ >> "${marker()}"; exec sleep 30`, timeout: 60_000, retries: 0 }], verify: { enabled: false } },
});

async function waitFor(file: string, ms: number): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text.trim()) return text;
    if (Date.now() > end) throw new Error(`${file} not written within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('a rollback fires exactly once through a crash and a re-run; the re-run holds for a person', async () => {
  const script = join(dir, 'child.mts');
  const src = resolve('src/actions');
  await writeFile(
    script,
    `import { runActions } from ${JSON.stringify(join(src, 'index.ts'))};
import { fixtureConfig, fixtureReport } from ${JSON.stringify(join(src, '_testing.ts'))};
import { Redactor } from ${JSON.stringify(resolve('src/core/redact.ts'))};
const dir = ${JSON.stringify(dir)};
await runActions({ report: fixtureReport(), config: fixtureConfig(${JSON.stringify(rollbackEnv())}, {}, dir), runDir: dir, reportsDir: dir, redactor: new Redactor(), dryRun: false, env: process.env });
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((r) => child.on('exit', r));
  const fired = await waitFor(marker(), 30_000);
  const commandPid = Number(fired.trim());
  // Crash: the pdv process dies mid-action (then stop the orphaned command too).
  child.kill('SIGKILL');
  await exited;
  try {
    process.kill(-commandPid, 'SIGKILL');
  } catch {
    /* already gone */
  }

  const file = ledgerPath(dir, 'staging', 'deploy-42');
  const left = await readEntry(file);
  expect(left).toMatchObject({ state: 'intent', actions: [{ name: 'switch-back', state: 'intent' }] });

  const records = await runActions({
    report: fixtureReport({ runId: 'run-2' }),
    config: fixtureConfig(rollbackEnv(), {}, dir),
    runDir: dir,
    reportsDir: dir,
    redactor: new Redactor(),
    dryRun: false,
    env: process.env,
  });
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({ kind: 'rollback', status: 'failed', details: { outcome: 'unknown', needsPerson: true } });
  expect(records[0]!.message).toMatch(/outcome UNKNOWN.*switch-back was in flight.*Not fired again/);
  // Exactly one firing, and the ledger still tells the story.
  expect((await readFile(marker(), 'utf8')).trim().split('\n')).toHaveLength(1);
  expect(await readEntry(file)).toMatchObject({ state: 'intent', runId: 'run-1' });
});

it('a ledger left unreadable by a crash is treated as an unknown outcome, not as "never fired"', async () => {
  const file = ledgerPath(dir, 'staging', 'deploy-42');
  await import('node:fs/promises').then(async (fs) => {
    await fs.mkdir(join(file, '..'), { recursive: true });
    await fs.writeFile(file, '{"state":"int');
  });
  const records = await runActions({
    report: fixtureReport(),
    config: fixtureConfig(rollbackEnv(), {}, dir),
    runDir: dir,
    reportsDir: dir,
    redactor: new Redactor(),
    dryRun: false,
    env: process.env,
  });
  expect(records[0]).toMatchObject({ status: 'failed', details: { outcome: 'unknown' } });
  expect(await readFile(marker(), 'utf8').catch(() => '')).toBe('');
});
