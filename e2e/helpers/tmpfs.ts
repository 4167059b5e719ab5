import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { onCI } from './binaries.ts';

// A small file system of our own that can be filled up: a tmpfs mounted by
// mount(8). Needs root (CI runs as root: .ci/run installs with apt-get). On
// CI a mount that fails is a broken runner, so the suite fails saying why;
// on a workstation without root it skips, saying why.

export interface Tmpfs {
  dir: string;
  unmount(): void;
}

/** Mount a tmpfs of `bytes` at `dir`; throws with mount's own words when it cannot. */
export function mountTmpfs(dir: string, bytes: number): Tmpfs {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'pdv-full-disk', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { dir, unmount: () => execFileSync('umount', ['--lazy', dir], { stdio: 'ignore' }) };
}

/** Why a tmpfs cannot be mounted here, or undefined when it can (tried on `probe`, unmounted again). */
export function tmpfsUnavailable(probe: string): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  try {
    mountTmpfs(probe, 64 * 1024).unmount();
    return undefined;
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return `mount -t tmpfs failed: ${stderr || (err as Error).message}`;
  }
}

/** For `describe.skipIf(…)`: on CI (run as root) a tmpfs that cannot be mounted fails the suite; elsewhere it skips, saying why. */
export function skipWithoutTmpfs(probe: string): boolean {
  const why = tmpfsUnavailable(probe);
  if (why === undefined) return false;
  if (onCI()) throw new Error(`${why}: CI=true (CI runs as root), so this suite fails instead of skipping`);
  console.warn(`skipping: ${why}`);
  return true;
}
