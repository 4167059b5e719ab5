import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { processStartTime } from './proc.ts';
import { reapLeftovers, registerOwned } from './reaper.ts';

let work: string;
let registry: string;
const cleanup: Array<() => void> = [];
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'reaper-test-'));
  registry = join(work, 'owned');
});
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
  rmSync(work, { recursive: true, force: true });
});

/** Running and not a zombie (a killed orphan may wait a moment for its reaper). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(cond: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  return cond();
}

function sleeper(): ChildProcess {
  const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  cleanup.push(() => void c.kill('SIGKILL'));
  return c;
}

/** A stand-in for pdv: starts a detached child and makes a tagged temp folder, registers both, reports them, then waits. */
async function owner(): Promise<{ proc: ChildProcess; childPid: number; taggedPid: number; dir: string }> {
  const script = join(work, 'owner.mts');
  writeFileSync(
    script,
    `import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { registerOwned } from ${JSON.stringify(resolve('src/platform/reaper.ts'))};
const opts = { dir: ${JSON.stringify(registry)} };
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true });
registerOwned({ pid: child.pid, what: 'test server' }, opts);
// A detached tree found by its environment tag (as Playwright's browsers are).
const tag = 'tag' + process.pid + 'xyz';
const tagged = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true, env: { ...process.env, PDV_OWNER_TAG: tag } });
registerOwned({ tag, what: 'browsers' }, opts);
const dir = mkdtempSync(join(${JSON.stringify(work)}, 'pdv-owned-test-'));
registerOwned({ dir, what: 'session folder' }, opts);
process.stdout.write(JSON.stringify({ childPid: child.pid, taggedPid: tagged.pid, dir }) + '\\n');
setInterval(() => {}, 1000);
`,
  );
  const proc = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(() => void proc.kill('SIGKILL'));
  const line = await new Promise<string>((r) => createInterface({ input: proc.stdout! }).once('line', r));
  const { childPid, taggedPid, dir } = JSON.parse(line) as { childPid: number; taggedPid: number; dir: string };
  cleanup.push(() => {
    for (const pid of [childPid, taggedPid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // reaped
      }
    }
  });
  return { proc, childPid, taggedPid, dir };
}

it('what a kill -9ed run registered is reaped at the next startup: its process killed, its tagged folder removed', async () => {
  const o = await owner();
  expect(running(o.childPid)).toBe(true);
  expect(running(o.taggedPid)).toBe(true);
  // The owner is alive: nothing of it is touched.
  expect(await reapLeftovers({ dir: registry })).toEqual([]);
  expect(running(o.childPid)).toBe(true);

  const exited = new Promise((r) => o.proc.once('exit', r));
  o.proc.kill('SIGKILL');
  await exited;
  const reaped = await reapLeftovers({ dir: registry });
  expect(reaped).toEqual([
    expect.stringMatching(new RegExp(`killed test server \\(pid ${o.childPid}\\)`)),
    expect.stringMatching(/killed browsers \(1 process\)/),
    expect.stringContaining(`removed session folder ${o.dir}`),
  ]);
  expect(await until(() => !running(o.childPid) && !running(o.taggedPid))).toBe(true);
  expect(existsSync(o.dir)).toBe(false);
  expect(readdirSync(registry)).toEqual([]); // the dead run's entry is gone too
  expect(await reapLeftovers({ dir: registry })).toEqual([]);
});

it('a recorded pid whose start time no longer matches (reused by another process) is left alone', async () => {
  const other = sleeper();
  await until(() => processStartTime(other.pid!) !== undefined);
  mkdirSync(registry, { recursive: true });
  const untagged = mkdtempSync(join(work, 'not-ours-'));
  writeFileSync(
    join(registry, '999999999-1.json'),
    JSON.stringify({
      owner: { pid: 999_999_999, startTime: '1' },
      items: [
        { id: 'a', kind: 'process', pid: other.pid, startTime: 'not-its-start-time', what: 'prometheus' },
        { id: 'b', kind: 'dir', path: untagged, what: 'folder without the tag' },
      ],
    }),
  );
  expect(await reapLeftovers({ dir: registry })).toEqual([]);
  expect(running(other.pid!)).toBe(true);
  expect(existsSync(untagged)).toBe(true);
});

it('registering and unregistering keeps this process’s entry; the last unregister removes it', async () => {
  const dir = mkdtempSync(join(work, 'pdv-mine-'));
  const c = sleeper();
  await until(() => processStartTime(c.pid!) !== undefined);
  const offDir = registerOwned({ dir, what: 'folder' }, { dir: registry });
  const offProc = registerOwned({ pid: c.pid!, what: 'server' }, { dir: registry });
  const [file] = readdirSync(registry);
  expect(JSON.parse(readFileSync(join(registry, file!), 'utf8'))).toMatchObject({ owner: { pid: process.pid }, items: [{ kind: 'dir', path: dir }, { kind: 'process', pid: c.pid }] });
  // Our own entry is never reaped, even though we call it ourselves.
  expect(await reapLeftovers({ dir: registry })).toEqual([]);
  offDir();
  offDir();
  expect(JSON.parse(readFileSync(join(registry, file!), 'utf8')).items).toHaveLength(1);
  offProc();
  expect(readdirSync(registry)).toEqual([]);
});
