import { raw } from '../../reporters/html/escape.ts';
import { dataTable, facts, statusBadge } from '../../reporters/html/kit.ts';
import type { SectionRenderer } from '../../reporters/html/section.ts';

// The dr stage's extra: which backup, RPO and RTO against their targets, and
// how long each phase of the restore took (a bar per phase).

interface DrExtra {
  driver?: string;
  scratch?: string;
  backup?: { id: string; createdAt: string };
  rpoMs?: number;
  rpoTargetMs?: number;
  rtoMs?: number;
  rtoTargetMs?: number;
  phases?: Array<{ name: string; durationMs: number; ok: boolean }>;
  leftovers?: Array<{ name: string; runId: string }>;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function dur(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function against(observed: number | undefined, target: number | undefined): string | undefined {
  if (observed === undefined) return undefined;
  return target === undefined ? dur(observed) : `${dur(observed)} (target ${dur(target)}) ${observed <= target ? '✓' : '✗ over target'}`;
}

export const drSection: SectionRenderer = {
  title: 'Disaster recovery',
  render(value: unknown): string {
    const v = (value ?? {}) as DrExtra;
    const phases = v.phases ?? [];
    const longest = Math.max(1, ...phases.map((p) => num(p.durationMs) ?? 0));
    const parts = [
      facts([
        ['driver', v.driver],
        ['backup', v.backup ? `${v.backup.id} (${v.backup.createdAt})` : 'none found'],
        ['RPO', against(num(v.rpoMs), num(v.rpoTargetMs))],
        ['RTO', against(num(v.rtoMs), num(v.rtoTargetMs))],
        ['scratch copy', v.scratch],
        ['leftovers of earlier runs', v.leftovers?.length ? v.leftovers.map((l) => l.name).join(', ') : undefined],
      ]),
    ];
    if (phases.length) {
      parts.push(
        '<h3>Phases</h3>' +
          dataTable(
            ['phase', 'duration', '', 'result'],
            phases.map((p) => {
              const ms = num(p.durationMs) ?? 0;
              const width = Math.max(1, Math.round((ms / longest) * 240));
              return [p.name, dur(ms), raw(`<svg width="240" height="10" role="img" aria-label="${Math.round(ms)} ms"><rect width="${width}" height="10" fill="#2563eb"/></svg>`), raw(statusBadge(p.ok ? 'passed' : 'failed'))];
            }),
          ),
      );
    }
    return parts.join('');
  },
};
