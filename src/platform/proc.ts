import { readFileSync } from 'node:fs';

// A pid alone names a process only until it is reused; the pair (pid, start
// time) names one process for good. Linux gives the start time in
// /proc/<pid>/stat (field 22, clock ticks since boot); elsewhere it is
// undefined and callers fall back to the pid.

/** Is a process with this pid alive on this machine? EPERM means it exists but is not ours. */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process's start time as an opaque string, or undefined (no /proc, or no such process). */
export function processStartTime(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces or ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19]; // field 22 overall; fields[0] is field 3
}

/**
 * Is this exact process (pid and, when recorded, start time) still running?
 * A recorded start time that no longer matches means the pid was reused.
 */
export function sameProcessAlive(pid: number, startTime: string | undefined): boolean {
  if (!processAlive(pid)) return false;
  if (startTime === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === startTime;
}
