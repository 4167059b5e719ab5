import { errorMessage } from '../core/errors.ts';
import type { RestoreDriver, ScratchRef } from './types.ts';
import type { Environ } from '../core/types.ts';

// `pdv dr cleanup`: scratch copies carry the pdv run-id tag, so everything a
// driver lists is ours to remove (the current run's own copy excepted), except
// a copy younger than the DR stage's timeout: it may be a run's still in progress.

/** Created less than `withinMs` ago: possibly a DR run's still in progress. Without a creation time, no. */
export function inProgress(s: ScratchRef, withinMs: number, now: number = Date.now()): boolean {
  return s.createdAt !== undefined && now - Date.parse(s.createdAt) < withinMs;
}

export interface CleanupItem extends ScratchRef {
  removed: boolean;
  error?: string;
}

export interface CleanupReport {
  driver: string;
  dryRun: boolean;
  items: CleanupItem[];
}

export async function cleanupLeftovers(
  driver: RestoreDriver,
  opts: { dryRun: boolean; exceptRunId?: string; olderThanMs?: number; now?: Date; signal?: AbortSignal },
): Promise<CleanupReport> {
  const signal = opts.signal ?? AbortSignal.timeout(30 * 60_000);
  const now = (opts.now ?? new Date()).getTime();
  const found = (await driver.listScratch(signal)).filter((s) => {
    if (s.runId === opts.exceptRunId) return false;
    return opts.olderThanMs === undefined || !inProgress(s, opts.olderThanMs, now);
  });
  const items: CleanupItem[] = [];
  for (const s of found) {
    if (opts.dryRun) {
      items.push({ ...s, removed: false });
      continue;
    }
    try {
      await driver.drop(s, signal);
      items.push({ ...s, removed: true });
    } catch (err) {
      items.push({ ...s, removed: false, error: errorMessage(err) });
    }
  }
  return { driver: driver.kind, dryRun: opts.dryRun, items };
}

/**
 * `pdv dr cleanup` over the configured driver (stages.dr of the resolved config).
 * By default it spares copies younger than the DR stage's timeout (a run in
 * progress elsewhere); `olderThanMs: 0` removes every tagged copy.
 */
export async function cleanupFromConfig(
  config: { stages: { dr: import('./config.ts').DrConfig }; rootDir: string; runtime: { databaseUrl?: string; awsRegion?: string }; env: Environ },
  opts: { dryRun: boolean; olderThanMs?: number },
): Promise<CleanupReport> {
  const { createDriver } = await import('./index.ts');
  const driver = await createDriver(config.stages.dr, { rootDir: config.rootDir, runtime: config.runtime, env: config.env });
  return cleanupLeftovers(driver, { ...opts, olderThanMs: opts.olderThanMs ?? config.stages.dr.timeout });
}
