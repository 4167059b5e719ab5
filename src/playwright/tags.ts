import type { OnFail, Severity } from '../core/types.ts';

// Playwright tags carry pdv's meaning: `@critical/@major/@minor` set the
// severity (default major), `@hold/@warn` what a failure means.

export function severityFromTags(tags: readonly string[]): Severity {
  if (tags.includes('@critical')) return 'critical';
  if (tags.includes('@minor')) return 'minor';
  return 'major';
}

export function onFailFromTags(tags: readonly string[]): OnFail | undefined {
  if (tags.includes('@hold')) return 'hold';
  if (tags.includes('@warn')) return 'warn';
  if (tags.includes('@rollback')) return 'rollback';
  return undefined;
}

/** Lower-case words joined by `-`; tags written into titles are dropped so ids survive re-tagging. */
export function slug(text: string): string {
  return text
    .replace(/(^|\s)@[\w-]+/g, ' ')
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Stable check id `<prefix>.<slug of describe blocks + title>`. The project
 * and file are left out on purpose: moving a test between files keeps its id.
 */
export function checkId(prefix: string, titles: readonly string[]): string {
  const parts = titles.map(slug).filter((s) => s.length > 0);
  return `${prefix}.${parts.join('.') || 'unnamed'}`;
}
